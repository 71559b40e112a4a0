/** `/`: a fresh test address with how to use it, and the domain audit form. */
import { Layout } from './layout.js';
import { AuditForm } from './audit-form.js';

export interface HomeProps {
  address: string;
  reportPath: string;
  /** The SMTP host and port to send to, when known (the `smtp.listen` address), for the swaks example. */
  smtpServer?: string;
}

export function HomePage(props: HomeProps) {
  const server = props.smtpServer ? ` --server ${props.smtpServer}` : '';
  const swaks = `swaks --to ${props.address}${server}`;
  return (
    <Layout title="Test your mail server" current="home">
      <h1>Is your mail trusted?</h1>
      <section class="card" aria-labelledby="test-heading">
        <h2 id="test-heading">1. Send a message to this address</h2>
        <p>Send from the server or service you want to test, the way it sends real mail:</p>
        <div class="record">
          <code class="address" id="test-address">
            {props.address}
          </code>
          <button type="button" class="copy" data-copy={props.address} aria-label="Copy the test address" hidden>
            Copy
          </button>
        </div>
        <p class="small muted">
          From a shell: <code>{swaks}</code>
        </p>
        <h2>2. Open the report</h2>
        <p>
          The report shows what a receiver sees: the verdict, PTR, HELO, SPF, DKIM, DMARC, the headers, and the exact
          records to fix. It waits for your message and fills in by itself.
        </p>
        <p>
          <a class="button primary" id="report-link" href={props.reportPath}>
            Open the report
          </a>
        </p>
      </section>
      <section class="card" aria-labelledby="audit-heading">
        <h2 id="audit-heading">Or audit a sending domain</h2>
        <p class="muted small">Checks the DNS records of a domain that sends mail and gives the records to publish.</p>
        <AuditForm />
      </section>
    </Layout>
  );
}

/**
 * `/audit?domain=&ip=&helo=&selector=`: the sending-domain audit in the report's layout — a result banner, one
 * section per area in the report's order (PTR, HELO, SPF, DKIM, DMARC, then MX and web forms), each check with its
 * status, value, rule and fix, and the records to publish with copy buttons.
 */
import type { AuditArea, AuditCheck, AuditReport, AuditResult, AuditStatus } from '../../core/index.js';
import { AuditForm, type AuditFormValues } from './audit-form.js';
import { Layout } from './layout.js';
import type { SectionStatus } from './report-model.js';
import { StatusBadge } from './status-badge.js';

const AREAS: { area: AuditArea; title: string }[] = [
  { area: 'ptr', title: 'Reverse DNS (PTR)' },
  { area: 'helo', title: 'HELO / EHLO name' },
  { area: 'spf', title: 'SPF' },
  { area: 'dkim', title: 'DKIM' },
  { area: 'dmarc', title: 'DMARC' },
  { area: 'mx', title: 'MX' },
  { area: 'forms', title: 'Web forms and scripts' },
];

const RESULT_LOOK: Record<AuditResult, { verdict: string; symbol: string; word: string; summary: string }> = {
  pass: { verdict: 'trusted', symbol: '✓', word: 'Ready', summary: 'The domain is set up the way receivers trust.' },
  warn: { verdict: 'low', symbol: '!', word: 'Needs work', summary: 'Receivers may trust mail from it less.' },
  fail: {
    verdict: 'untrusted',
    symbol: '✗',
    word: 'Not ready',
    summary: 'Receivers will distrust or refuse its mail.',
  },
};

const RANK: Record<AuditStatus, number> = { fail: 3, warn: 2, pass: 1, info: 0 };

function areaStatus(checks: AuditCheck[]): SectionStatus {
  let worst: AuditStatus = 'info';
  for (const c of checks) if (RANK[c.status] > RANK[worst]) worst = c.status;
  return worst;
}

function CheckRow(props: { check: AuditCheck }) {
  const c = props.check;
  return (
    <div class="finding" data-check={c.id} data-status={c.status}>
      <p>
        <StatusBadge status={c.status} /> <code>{c.id}</code>
        {c.subject !== undefined && <span class="muted">{` (${c.subject})`}</span>} {c.message}
      </p>
      {c.value !== undefined && (
        <p class="small">
          <strong>Found:</strong> {c.value}
        </p>
      )}
      {c.record !== undefined && (
        <p class="small">
          <strong>Record:</strong> <code>{c.record}</code>
        </p>
      )}
      {c.remedy !== '' && (
        <p class="fix">
          <strong>Fix:</strong> {c.remedy}
        </p>
      )}
      <p class="rule small">
        <strong>Rule:</strong> {c.rule}
      </p>
    </div>
  );
}

export function AuditReportView(props: { report: AuditReport }) {
  const r = props.report;
  const look = RESULT_LOOK[r.result];
  return (
    <>
      <section class={`banner ${look.verdict}`} aria-labelledby="verdict-heading" data-result={r.result}>
        <h1 id="verdict-heading">
          <span aria-hidden="true">{look.symbol}</span> {`${look.word}: ${r.domain}`}
        </h1>
        <p class="meta">
          {look.summary}
          {!r.domainExists && ' The domain does not exist (NXDOMAIN).'}
          {r.dns.unreachable && ' DNS could not be reached: the results below are incomplete.'}
        </p>
        <p class="meta small">
          {`Addresses ${r.addresses.ips.join(', ') || 'none'} (${r.addresses.source}) · DKIM selectors tried: ${r.selectors.tried.length}, found: ${r.selectors.found.join(', ') || 'none'} · ${r.dns.queries} DNS queries`}
        </p>
      </section>
      {r.suggestions.length > 0 && (
        <section class="card" aria-labelledby="publish-heading">
          <h2 id="publish-heading">Records to publish</h2>
          {r.suggestions.map((s) => {
            const line = `${s.name}. ${s.type} ${s.type === 'TXT' ? `"${s.value}"` : s.value}`;
            return (
              <div class="fix" data-suggestion={s.kind}>
                <h3>{s.kind.toUpperCase()}</h3>
                <div class="record">
                  <code>{line}</code>
                  <button type="button" class="copy" data-copy={line} aria-label={`Copy the ${s.kind} record`} hidden>
                    Copy
                  </button>
                </div>
                <p class="small">{s.note}</p>
                {s.command !== undefined && (
                  <p class="small">
                    Make the key: <code>{s.command}</code>
                  </p>
                )}
                {s.steps !== undefined && s.steps.length > 0 && (
                  <ol class="steps small">
                    {s.steps.map((step) => (
                      <li>
                        <code>{step}</code>
                      </li>
                    ))}
                  </ol>
                )}
              </div>
            );
          })}
        </section>
      )}
      <div class="sections">
        {AREAS.map(({ area, title }) => {
          const checks = r.checks.filter((c) => c.area === area);
          if (checks.length === 0) return null;
          const status = areaStatus(checks);
          return (
            <section class={`section ${status}`} aria-labelledby={`area-${area}`} data-section={area}>
              <div class="section-head">
                <h2 id={`area-${area}`}>{title}</h2>
                <StatusBadge status={status} />
              </div>
              {checks.map((c) => (
                <CheckRow check={c} />
              ))}
            </section>
          );
        })}
      </div>
    </>
  );
}

export function AuditPage(props: { values: AuditFormValues; report?: AuditReport; error?: string }) {
  return (
    <Layout title={props.report ? `Audit: ${props.report.domain}` : 'Domain audit'} current="audit">
      {props.report === undefined && <h1>Audit a sending domain</h1>}
      <section class="card" aria-label="Audit form">
        <AuditForm values={props.values} />
        {props.error !== undefined && (
          <p class="error" role="alert">
            {props.error}
          </p>
        )}
      </section>
      {props.report && <AuditReportView report={props.report} />}
    </Layout>
  );
}

/**
 * The trust verdict (docs/trust-model.md, trust model v1): every check's result → `trusted | low | untrusted`, with the
 * reasons (finding id, level, message, remedy) and whether a retry may change it. Pure and synchronous.
 *
 * One function per area finds that area's findings (each can be tested alone): the sender's authentication
 * (authentication.ts), SPF, DKIM, DMARC, the sending server, the header and forwarding; `combineFindings` turns
 * them into the verdict. Authentication is judged on the local results, or, for mail from a trusted forwarder, on
 * the results it recorded in ARC (../forwarding).
 */
import { organizationalDomainOrSelf } from '../domain/index.js';
import { AreaFindings } from './area-findings.js';
import type { Policy } from '../policy/index.js';
import { readAuthentication, senderFindings } from './authentication.js';
import { combineFindings, type Verdict } from './combine.js';
import { dkimFindings } from './dkim-findings.js';
import { dmarcFindings } from './dmarc-findings.js';
import { forwardingFindings } from './forwarding-findings.js';
import { headerFindings } from './header-findings.js';
import type { VerdictInput } from './input.js';
import { serverFindings } from './server-findings.js';
import { spfFindings } from './spf-findings.js';

export type { Reason, Verdict } from './combine.js';

/**
 * Decides the verdict for one message under `policy` (docs/trust-model.md). Pure; never throws.
 *
 * untrusted: `sender.spoofed`, `spf.fail`, `dkim.fail`, `headers.domain-nxdomain`/`-unresolvable`,
 * `headers.from-missing`/`-multiple`/`-invalid`. low: `sender.unauthenticated`, `ptr.missing`/`not-confirmed`/
 * `generic`, the HELO findings, the header formatting findings, `dns.temperror`. Everything else is reported at
 * level info. `policy.levels` overrides any finding's level.
 */
export function decideVerdict(input: VerdictInput, policy: Policy): Verdict {
  const auth = readAuthentication(input, policy);
  const fromDomain = auth.view.fromDomain;
  // Every area adds to one collector, in this order: a finding two areas report keeps the first one's detail.
  const areas = new AreaFindings();
  senderFindings(auth, areas);
  spfFindings(input, auth, areas);
  dkimFindings(input, auth, areas);
  dmarcFindings(input, auth, areas);
  serverFindings(input, policy, auth, areas);
  headerFindings(input.headers, areas);
  forwardingFindings(input, auth, areas);
  return combineFindings(
    areas,
    {
      ip: input.envelope.ip,
      helo: input.helo.name,
      fromDomain,
      senderDomain: organizationalDomainOrSelf(fromDomain ?? auth.mailDomain ?? 'example.com'),
    },
    policy,
  );
}

/**
 * Findings that need the sender in view (guide recommendations 1 and 2): does the sending server's PTR name look
 * residential, do its PTR and HELO names belong to the sender's domain, is the HELO name one of the sender
 * domain's MX hosts? The PTR and HELO checks run before the sender is known (at connection and EHLO); these
 * relations are judged once it is. Pure.
 *
 * The sender's domains are the organizational domains (RFC 7489 §3.2) of the From domain, the MAIL FROM domain,
 * each passing DKIM `d=`, the sender domain's MX hosts (when known), and any `otherDomains` the caller accepts
 * (validated ARC sealers). A name belongs to the sender when its organizational domain is one of them, or it is
 * (under) a policy relay domain.
 */
import { organizationalDomainOrSelf } from '../domain/index.js';
import { classifyHelo } from '../helo/name.js';
import { genericNameReason, type GenericNameReason } from '../iprev/generic-name.js';
import { MAX_PTR_NAMES } from '../iprev/check.js';
import { matchesDomainList } from '../policy/index.js';
import { lowerCaseName } from '../dns/names.js';

/** What {@link senderRelations} reads. `helo` and `iprev` fit HeloResult and IprevResult as they are. */
export interface SenderRelationsInput {
  /** The client address. */
  ip: string;
  helo?: { result: string; name: string } | undefined;
  /** `names`: forward-confirmed PTR names; `ptrNames`: every PTR name. */
  iprev?: { names: readonly string[]; ptrNames: readonly string[] } | undefined;
  fromDomain?: string | undefined;
  mailFromDomain?: string | undefined;
  /** `d=` of the DKIM signatures that pass. */
  passingDkimDomains?: readonly string[] | undefined;
  /** Further domains accepted as the sender's, e.g. the sealers of a validated ARC chain. */
  otherDomains?: readonly string[] | undefined;
  /** MX hosts of the sender's domain; undefined when unknown (no `helo.not-mx` then). */
  senderMxHosts?: readonly string[] | undefined;
  /** The MX hosts' domain, for the message. */
  senderMxDomain?: string | undefined;
  /** Policy relay domains (normalized). */
  relayDomains: readonly string[];
  /**
   * The client is a forwarder of authenticated mail: it cannot be in the sender's domain, so its HELO and PTR
   * names are accepted when they name the same organization as each other.
   */
  forwarder?: boolean | undefined;
}

/** A sender-relation finding with the values that explain it. */
export type SenderRelationFinding =
  | { id: 'ptr.generic'; name: string; reason: GenericNameReason }
  | { id: 'ptr.foreign-domain'; name: string; organization: string; senderDomains: string[] }
  | { id: 'helo.foreign-domain'; name: string; organization: string; senderDomains: string[] }
  | { id: 'helo.not-mx'; name: string; mxHosts: string[]; domain?: string };

/** Sender-relation findings, in the order ptr.generic, ptr.foreign-domain, helo.foreign-domain, helo.not-mx. */
export function senderRelations(input: SenderRelationsInput): SenderRelationFinding[] {
  const findings: SenderRelationFinding[] = [];
  const confirmed = (input.iprev?.names ?? []).map(lowerCaseName);
  const allPtr = (input.iprev?.ptrNames ?? []).map(lowerCaseName);
  const ptrNames = (allPtr.length > 0 ? allPtr : confirmed).slice(0, MAX_PTR_NAMES);

  // ptr.generic: any PTR name that looks like a residential or dynamic pool.
  for (const name of ptrNames) {
    const reason = genericNameReason(name, input.ip, organizationalDomainOrSelf(name));
    if (reason) {
      findings.push({ id: 'ptr.generic', name, reason });
      break;
    }
  }

  const senderDomains: string[] = [];
  const addSender = (domain: string | undefined) => {
    if (!domain) return;
    const org = organizationalDomainOrSelf(lowerCaseName(domain));
    if (!senderDomains.includes(org)) senderDomains.push(org);
  };
  addSender(input.fromDomain);
  addSender(input.mailFromDomain);
  for (const d of input.passingDkimDomains ?? []) addSender(d);
  for (const d of input.otherDomains ?? []) addSender(d);
  // The guide asks the HELO name to "match with an MX record": the organization that runs the sender domain's MX
  // hosts (its mail provider) is the sender's too.
  for (const host of input.senderMxHosts ?? []) addSender(host);

  const helo = input.helo;
  const heloSyntax = helo && helo.result !== 'fail' ? classifyHelo(helo.name) : undefined;
  const heloName = heloSyntax?.kind === 'domain' ? heloSyntax.name : undefined;
  const heloOrg = heloName !== undefined ? organizationalDomainOrSelf(heloName) : undefined;
  const belongs = (name: string) =>
    senderDomains.includes(organizationalDomainOrSelf(name)) || matchesDomainList(name, input.relayDomains);

  // ptr.foreign-domain: judged on the forward-confirmed names when there are any (an unconfirmed PTR proves no
  // ownership), else on all PTR names; no names at all is ptr.missing's business.
  const judged = confirmed.length > 0 ? confirmed : ptrNames;
  if (senderDomains.length > 0 && judged.length > 0) {
    const related = judged.some(
      (name) => belongs(name) || (input.forwarder === true && organizationalDomainOrSelf(name) === heloOrg),
    );
    if (!related) {
      const name = judged[0]!;
      findings.push({
        id: 'ptr.foreign-domain',
        name,
        organization: organizationalDomainOrSelf(name),
        senderDomains: [...senderDomains],
      });
    }
  }

  // helo.foreign-domain and helo.not-mx: only for a HELO domain name that passed the HELO check's own tests.
  if (heloName !== undefined && heloOrg !== undefined) {
    const relay = matchesDomainList(heloName, input.relayDomains);
    if (senderDomains.length > 0) {
      const related =
        belongs(heloName) ||
        (input.forwarder === true && confirmed.some((name) => organizationalDomainOrSelf(name) === heloOrg));
      if (!related)
        findings.push({
          id: 'helo.foreign-domain',
          name: heloName,
          organization: heloOrg,
          senderDomains: [...senderDomains],
        });
    }
    // A relay or a forwarder is not expected to be one of the sender's MX hosts.
    if (input.senderMxHosts !== undefined && !relay && input.forwarder !== true) {
      const mxHosts = input.senderMxHosts.map(lowerCaseName);
      if (!mxHosts.includes(heloName)) {
        const finding: SenderRelationFinding = { id: 'helo.not-mx', name: heloName, mxHosts };
        if (input.senderMxDomain !== undefined) finding.domain = input.senderMxDomain;
        findings.push(finding);
      }
    }
  }
  return findings;
}

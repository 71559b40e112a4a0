/**
 * The findings about the sending server (docs/trust-model.md `ptr.*`, `helo.*`): its PTR records (RFC 8601 §3 iprev),
 * its HELO name (RFC 5321 §4.1.1.1), and how both relate to the sender's domains. Pure.
 */
import type { GenericNameReason } from '../iprev/generic-name.js';
import type { Policy } from '../policy/index.js';
import { AreaFindings } from './area-findings.js';
import type { Authentication } from './authentication.js';
import type { VerdictInput } from './input.js';
import { senderRelations } from './sender-relations.js';

function describeGeneric(reason: GenericNameReason, ip: string): string {
  switch (reason.kind) {
    case 'embedded-ip':
      return `it contains the address ${ip}, ${reason.form}`;
    case 'keyword':
      return `"${reason.keyword}" marks dynamic or residential address pools`;
    default: {
      const unreachable: never = reason;
      return unreachable;
    }
  }
}

/**
 * The iprev and HELO findings with their temporary failures, then the relations of the server's names to the
 * sender's domains (`ptr.generic`, `ptr.foreign-domain`, `helo.foreign-domain`, `helo.not-mx`; see
 * sender-relations.ts). `policy.relayDomains` names the sender's own relays.
 */
export function serverFindings(
  input: VerdictInput,
  policy: Policy,
  auth: Authentication,
  area = new AreaFindings(),
): AreaFindings {
  const { ip } = input.envelope;
  const { iprev, helo, arc } = input;
  const { view, forwarding } = auth;
  for (const id of iprev.findings) area.add(id, id === 'ptr.missing' ? {} : { names: iprev.ptrNames });
  if (iprev.result === 'temperror') area.temporary.push(`PTR of ${ip}${iprev.dnsError ? ` (${iprev.dnsError})` : ''}`);
  for (const id of helo.findings) area.add(id, { name: helo.name, names: helo.addresses ?? [] });
  if (helo.result === 'temperror')
    area.temporary.push(`address of HELO name ${helo.name}${helo.dnsError ? ` (${helo.dnsError})` : ''}`);

  const relations = senderRelations({
    ip,
    helo,
    iprev,
    fromDomain: view.fromDomain,
    mailFromDomain: auth.mailDomain,
    passingDkimDomains: view.dkim.filter((s) => s.result === 'pass').map((s) => s.domain),
    otherDomains: arc?.result === 'pass' ? arc.sets.map((set) => set.sealDomain) : undefined,
    senderMxHosts: input.senderMxHosts,
    senderMxDomain: view.fromDomain,
    relayDomains: policy.relayDomains,
    forwarder: forwarding.seen && auth.authenticated,
  });
  for (const relation of relations) {
    switch (relation.id) {
      case 'ptr.generic':
        area.add(relation.id, { name: relation.name, reason: describeGeneric(relation.reason, ip) });
        break;
      case 'ptr.foreign-domain':
      case 'helo.foreign-domain':
        area.add(relation.id, {
          name: relation.name,
          organization: relation.organization,
          names: relation.senderDomains,
        });
        break;
      case 'helo.not-mx':
        area.add(
          relation.id,
          relation.domain
            ? { name: relation.name, names: relation.mxHosts, domain: relation.domain }
            : { name: relation.name, names: relation.mxHosts },
        );
        break;
      default: {
        const unreachable: never = relation;
        return unreachable;
      }
    }
  }
  return area;
}

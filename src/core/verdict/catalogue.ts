/**
 * The one table of findings (docs/trust-model.md): each finding id's default level, and the sentence that says what was
 * found and the remedy that tells the sender what to change, in the guide's terms. The verdict's contract
 * (docs/cli.md `reasons`) carries this text; the checks' results hold only data.
 */
import type { FindingId, FindingLevel } from '../policy/index.js';
import { lowerCaseName } from '../dns/names.js';

/** Values every sentence may use. */
export interface ReasonFacts {
  /** The client address. */
  ip: string;
  /** The HELO/EHLO name as given (`''` when none). */
  helo: string;
  /** The From domain, when there is one. */
  fromDomain: string | undefined;
  /** The sender's domain for examples: From's organizational domain, else MAIL FROM's, else `example.com`. */
  senderDomain: string;
}

/** Values of one finding (which ones depends on the finding). */
export interface ReasonDetail {
  name?: string;
  names?: readonly string[];
  domain?: string;
  organization?: string;
  selector?: string;
  field?: string;
  value?: string;
  reason?: string;
  result?: string;
  mechanism?: string;
  policy?: string;
}

interface Wording {
  level: FindingLevel;
  message: (f: ReasonFacts, d: ReasonDetail) => string;
  remedy: (f: ReasonFacts, d: ReasonDetail) => string;
}

const list = (items: readonly string[] | undefined, none = 'none'): string =>
  items && items.length > 0 ? items.join(', ') : none;
const spfTerm = (ip: string) => (ip.includes(':') ? `ip6:${ip}` : `ip4:${ip}`);
const mailHost = (f: ReasonFacts) => `mail.${f.senderDomain}`;
const fromOr = (f: ReasonFacts, d: ReasonDetail) => d.domain || f.fromDomain || f.senderDomain;
const spfRecord = (domain: string, ip: string) => `${domain}. TXT "v=spf1 ${spfTerm(ip)} ~all"`;
const greet = (f: ReasonFacts) =>
  `Configure the mail server to greet with its public name, e.g. EHLO ${mailHost(f)}, a name with an A record pointing at ${f.ip}.`;
const dmarcRecord = (domain: string) => `_dmarc.${domain}. TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain}"`;
const signature = (d: ReasonDetail) => `d=${d.domain || '?'}${d.selector ? ` (selector ${d.selector})` : ''}`;
const keyName = (d: ReasonDetail) => `${d.selector || 'SELECTOR'}._domainkey.${d.domain || 'example.com'}`;
const heloName = (f: ReasonFacts, d: ReasonDetail) => d.name || f.helo;
const inField = (d: ReasonDetail) => (d.field ? ` in the ${d.field} header` : '');
const because = (d: ReasonDetail) => (d.reason ? ` (${d.reason})` : '');

/** Every finding id of docs/trust-model.md with its default level (docs/trust-model.md) and its wording. */
export const FINDINGS: Readonly<Record<FindingId, Wording>> = {
  'sender.spoofed': {
    level: 'untrusted',
    message: (f, d) =>
      d.result === 'dmarc'
        ? `The From domain ${fromOr(f, d)} fails DMARC (policy ${d.policy || 'none'}): neither SPF nor any DKIM signature passes for a domain aligned with it.`
        : `The From domain ${fromOr(f, d)} publishes no DMARC record, its SPF fails for ${f.ip} and no DKIM signature of ${fromOr(f, d)} passes.`,
    remedy: (f, d) =>
      `If this is your mail, authorize ${f.ip} in the SPF record of ${fromOr(f, d)} (e.g. "v=spf1 ${spfTerm(f.ip)} ~all") and DKIM-sign it with a key published under ${fromOr(f, d)}; if it is not, someone is sending in the name of ${fromOr(f, d)}.`,
  },
  'spf.fail': {
    level: 'untrusted',
    message: (f, d) =>
      `SPF of ${d.domain || '?'} fails for ${f.ip}${d.mechanism ? ` (${d.mechanism})` : ''}: the domain does not authorize this server, and no aligned DKIM signature passes.`,
    remedy: (f, d) =>
      `Authorize the server in the SPF record of ${d.domain || f.senderDomain}, e.g. ${spfRecord(d.domain || f.senderDomain, f.ip)} (or mx:${d.domain || f.senderDomain} when ${f.ip} is your MX host), or send through a server the record already lists.`,
  },
  'dkim.fail': {
    level: 'untrusted',
    message: (f, d) =>
      `The DKIM signature ${signature(d)} does not verify — ${d.reason || 'the message was changed after signing'} — and no signature of ${f.fromDomain || 'the From domain'} passes.`,
    remedy: (_f, d) =>
      `Sign as the last step before sending (footers, disclaimers or rewriting relays after signing break it) and make sure ${keyName(d)} publishes the key the server signs with.`,
  },
  'headers.domain-nxdomain': {
    level: 'untrusted',
    message: (_f, d) => `The domain ${d.domain || '?'}${inField(d)} does not exist (NXDOMAIN).`,
    remedy: (_f, d) =>
      `Use only existing domains in From, Sender, Reply-To, To and Cc${d.value ? `; correct ${d.value}` : ''}.`,
  },
  'headers.domain-unresolvable': {
    level: 'untrusted',
    // The cause once: the header check's reason when it gave one, else every cause this finding stands for.
    message: (_f, d) =>
      `The domain ${d.domain || d.value || '?'}${inField(d)} cannot receive mail: ${d.reason || 'it has no MX, A or AAAA record or is not a valid name'}.`,
    remedy: (_f, d) =>
      `Give ${d.domain || 'the domain'} an MX record (or at least an A record) so mail to it can be delivered, or use an address in a domain that receives mail.`,
  },
  'headers.from-missing': {
    level: 'untrusted',
    message: () => 'The message has no From header.',
    remedy: (f) =>
      `Add exactly one From header with the sender's address (RFC 5322 §3.6.2), e.g. From: Support <support@${f.senderDomain}>.`,
  },
  'headers.from-multiple': {
    level: 'untrusted',
    message: (_f, d) => `The message has more than one From header${d.value ? ` (${d.value})` : ''}.`,
    remedy: () => 'Send exactly one From header (RFC 5322 §3.6 allows it once).',
  },
  'headers.from-invalid': {
    level: 'untrusted',
    message: (_f, d) =>
      `The From header${d.value ? ` ${JSON.stringify(d.value)}` : ''} is not one valid address${because(d)}.`,
    remedy: (f) =>
      `Write From as one RFC 5322 address in an existing domain, e.g. From: Support <support@${f.senderDomain}>.`,
  },
  'sender.unauthenticated': {
    level: 'low',
    message: (f) =>
      `Nothing authenticates the sender ${f.fromDomain || '(no From domain)'}: no SPF pass for an aligned MAIL FROM domain and no passing DKIM signature of that domain.`,
    remedy: (f) =>
      `Publish SPF authorizing ${f.ip} (${spfRecord(f.senderDomain, f.ip)}), DKIM-sign with d=${f.senderDomain}, and publish DMARC (${dmarcRecord(f.senderDomain)}).`,
  },
  'ptr.missing': {
    level: 'low',
    message: (f) => `The sending address ${f.ip} has no PTR record (reverse DNS).`,
    remedy: (f) =>
      `Ask the owner of ${f.ip} (your ISP or hosting provider) to publish a PTR record such as ${mailHost(f)} that resolves back to ${f.ip}.`,
  },
  'ptr.not-confirmed': {
    level: 'low',
    message: (f, d) => `The PTR name ${list(d.names)} of ${f.ip} does not resolve back to ${f.ip}.`,
    remedy: (f, d) =>
      `Publish an A record (AAAA for IPv6) for ${d.names?.[0] || mailHost(f)} pointing at ${f.ip}, or ask the owner of ${f.ip} to set the PTR to a name that does.`,
  },
  'ptr.generic': {
    level: 'low',
    message: (f, d) =>
      `The PTR name ${d.name || '?'} of ${f.ip} looks like a residential or dynamic address${because(d)}.`,
    remedy: (f) =>
      `Send through a mail server with a static address whose PTR names your domain, e.g. ${mailHost(f)}, or ask your provider for such a PTR record; do not send directly from consumer connections.`,
  },
  'ptr.foreign-domain': {
    level: 'info',
    message: (f, d) =>
      `The PTR name ${d.name || '?'} of ${f.ip} belongs to ${d.organization || '?'}, not to the sender's domain (${list(d.names)}).`,
    remedy: (f) =>
      `Ask the owner of ${f.ip} to set its PTR to a name in your domain, e.g. ${mailHost(f)}, that resolves back to ${f.ip}.`,
  },
  'ptr.multiple': {
    level: 'info',
    message: (f, d) => `The address ${f.ip} has ${d.names?.length || 'several'} PTR names (${list(d.names)}).`,
    remedy: (f) => `Keep one PTR record for ${f.ip}, naming the mail server, e.g. ${mailHost(f)}.`,
  },
  'helo.missing': {
    level: 'low',
    message: () => 'The client sent no HELO/EHLO name.',
    remedy: (f) => greet(f),
  },
  'helo.not-fqdn': {
    level: 'low',
    message: (f, d) =>
      `The HELO name ${JSON.stringify(heloName(f, d))} is not a fully qualified domain name${because(d)}.`,
    remedy: (f) => greet(f),
  },
  'helo.bare-ip': {
    level: 'low',
    message: (f, d) => `The HELO name ${heloName(f, d)} is a bare IP address, not a host name.`,
    remedy: (f) => greet(f),
  },
  'helo.literal-mismatch': {
    level: 'low',
    message: (f, d) => `The HELO address literal ${heloName(f, d)} is not the client address ${f.ip}.`,
    remedy: (f) => greet(f),
  },
  'helo.localhost': {
    level: 'low',
    message: (f, d) => `The HELO name ${heloName(f, d)} is a localhost name, which names no public server.`,
    remedy: (f) => greet(f),
  },
  'helo.special-use': {
    level: 'low',
    message: (f, d) =>
      `The HELO name ${heloName(f, d)} is under a special-use or private suffix that does not exist in public DNS.`,
    remedy: (f) => greet(f),
  },
  'helo.nxdomain': {
    level: 'low',
    message: (f, d) => `The HELO name ${heloName(f, d)} does not exist in DNS (NXDOMAIN).`,
    // The example name must not be the missing name itself (a HELO of mail.<domain> that does not exist).
    remedy: (f, d) =>
      lowerCaseName(heloName(f, d)) === mailHost(f).toLowerCase()
        ? `Publish an A record for ${heloName(f, d)} pointing at ${f.ip}: the name the server greets with does not exist yet.`
        : `Publish an A record for ${heloName(f, d)} pointing at ${f.ip}, or configure the mail server to greet with a name that has one, e.g. EHLO ${mailHost(f)}.`,
  },
  'helo.unresolvable': {
    level: 'low',
    message: (f, d) => `The HELO name ${heloName(f, d)} exists but has no A, AAAA or MX record.`,
    remedy: (f, d) =>
      `Publish an A record for ${heloName(f, d)} pointing at ${f.ip}, or configure the mail server to greet with a name that has one, e.g. EHLO ${mailHost(f)}.`,
  },
  'helo.ip-mismatch': {
    level: 'info',
    message: (f, d) =>
      `The HELO name ${heloName(f, d)} resolves to ${list(d.names, 'no address')}, not to the client address ${f.ip}.`,
    remedy: (f, d) =>
      `Point the A record of ${heloName(f, d)} at ${f.ip}, or greet with the name that points at ${f.ip}.`,
  },
  'helo.foreign-domain': {
    level: 'low',
    message: (f, d) =>
      `The HELO name ${heloName(f, d)} belongs to ${d.organization || '?'}, not to the sender's domain (${list(d.names)}).`,
    remedy: (f) =>
      `Configure the mail server to greet with a name in your own domain, e.g. EHLO ${mailHost(f)}, with an A record pointing at ${f.ip} and listed as an MX host of ${f.senderDomain}.`,
  },
  'helo.not-mx': {
    level: 'info',
    message: (f, d) =>
      `The HELO name ${heloName(f, d)} is not one of the MX hosts of ${d.domain || f.senderDomain} (${list(d.names, 'it has none')}).`,
    remedy: (f, d) =>
      `Greet with the name of one of the MX hosts of ${d.domain || f.senderDomain}, or, if this server also receives mail for ${d.domain || f.senderDomain}, list ${heloName(f, d)} in its MX records.`,
  },
  'spf.none': {
    level: 'info',
    // With neither a MAIL FROM nor a HELO name there was no domain to check (RFC 7208 §2.4): say that, not that the
    // From domain lacks a record it may well publish.
    message: (_f, d) =>
      d.domain
        ? `The domain ${d.domain} publishes no SPF record.`
        : 'SPF was not checked: neither a MAIL FROM address nor a HELO name was known.',
    remedy: (f, d) =>
      `Publish one authorizing your servers, e.g. ${spfRecord(d.domain || f.senderDomain, f.ip)} or "v=spf1 mx:${d.domain || f.senderDomain} ~all" when your MX hosts send.`,
  },
  'spf.softfail': {
    level: 'info',
    message: (f, d) =>
      `SPF of ${d.domain || '?'} soft-fails for ${f.ip}${d.mechanism ? ` (${d.mechanism})` : ''}: the server is not authorized.`,
    remedy: (f, d) =>
      `Add ${spfTerm(f.ip)} (or mx:${d.domain || f.senderDomain}) to the SPF record of ${d.domain || f.senderDomain}.`,
  },
  'spf.neutral': {
    level: 'info',
    message: (f, d) =>
      `SPF of ${d.domain || '?'} says neither yes nor no for ${f.ip}${d.mechanism ? ` (${d.mechanism})` : ''}.`,
    remedy: (f, d) =>
      `List the servers that send for ${d.domain || f.senderDomain} explicitly, e.g. ${spfRecord(d.domain || f.senderDomain, f.ip)}.`,
  },
  'spf.permerror': {
    level: 'info',
    message: (_f, d) => `The SPF record of ${d.domain || '?'} cannot be evaluated (permerror).`,
    remedy: (f, d) =>
      `Fix the SPF record of ${d.domain || f.senderDomain} (check it with mailtrust spf --ip ${f.ip} --mail-from postmaster@${d.domain || f.senderDomain}); a valid one is e.g. ${spfRecord(d.domain || f.senderDomain, f.ip)}.`,
  },
  'spf.temperror': {
    level: 'info',
    message: (_f, d) => `The SPF record of ${d.domain || '?'} could not be fetched for now.`,
    remedy: (_f, d) => `Make sure the name servers of ${d.domain || 'the domain'} answer TXT queries reliably.`,
  },
  'spf.multiple-records': {
    level: 'info',
    message: (f, d) =>
      `The domain ${d.domain || f.senderDomain} publishes more than one SPF record, which makes SPF a permerror.`,
    remedy: (_f, d) => `Merge the SPF records of ${d.domain || 'the domain'} into one TXT record starting with v=spf1.`,
  },
  'spf.too-many-lookups': {
    level: 'info',
    message: (_f, d) => `The SPF record of ${d.domain || '?'} needs more than 10 DNS lookups (RFC 7208 §4.6.4).`,
    remedy: (f, d) =>
      `Reduce include:, a, mx, ptr and exists terms in the SPF record of ${d.domain || f.senderDomain}, e.g. replace includes by the ip4:/ip6: ranges they stand for.`,
  },
  'spf.too-many-void-lookups': {
    level: 'info',
    message: (_f, d) =>
      `The SPF record of ${d.domain || '?'} names more than 2 names that do not exist (RFC 7208 §4.6.4).`,
    remedy: (_f, d) =>
      `Remove terms naming domains that no longer exist from the SPF record of ${d.domain || 'the domain'}.`,
  },
  'spf.ptr-mechanism': {
    level: 'info',
    message: (_f, d) =>
      `The SPF record of ${d.domain || '?'} uses the ptr mechanism, which RFC 7208 §5.5 says not to use.`,
    remedy: (f) => `Replace ptr by the addresses it stands for, e.g. ${spfTerm(f.ip)}.`,
  },
  'spf.plus-all': {
    level: 'info',
    message: (_f, d) =>
      `The SPF record of ${d.domain || '?'} ends in +all, which authorizes every server on the Internet.`,
    remedy: (f) => `End the record in ~all or -all after listing your servers, e.g. "v=spf1 ${spfTerm(f.ip)} ~all".`,
  },
  'spf.no-all': {
    level: 'info',
    message: (_f, d) => `The SPF record of ${d.domain || '?'} has no all term, so other servers get a neutral result.`,
    remedy: () => 'End the SPF record in ~all (or -all) after the servers it lists.',
  },
  'spf.ip-not-authorized': {
    level: 'info',
    message: (f, d) =>
      d.result === 'helo'
        ? `SPF of the HELO name ${d.domain || '?'} fails for ${f.ip}, which decides only for bounces (null sender).`
        : `SPF of ${d.domain || '?'} fails for ${f.ip}, but an aligned DKIM signature passes, so the message is still authenticated.`,
    remedy: (f, d) =>
      `Authorize ${f.ip} in the SPF record of ${d.domain || f.senderDomain}, e.g. ${spfRecord(d.domain || f.senderDomain, f.ip)}.`,
  },
  'spf.record-too-long': {
    level: 'info',
    message: (_f, d) => `The SPF record of ${d.domain || '?'} is too long for one DNS answer over UDP.`,
    remedy: () => 'Shorten the SPF record (ip4 ranges, fewer includes) to under 450 characters.',
  },
  'dkim.none': {
    level: 'info',
    message: () => 'The message carries no DKIM signature.',
    remedy: (f) =>
      `DKIM-sign outgoing mail with d=${f.senderDomain} and publish the key at SELECTOR._domainkey.${f.senderDomain} (mailtrust dkim keygen --domain ${f.senderDomain} --selector s1 prints the record).`,
  },
  'dkim.body-hash': {
    level: 'info',
    message: (_f, d) => `The DKIM signature ${signature(d)} fails: the body was changed after signing.`,
    remedy: () =>
      'Sign after the last change to the body: footers or disclaimers added after signing break the signature.',
  },
  'dkim.signature': {
    level: 'info',
    message: (_f, d) =>
      `The DKIM signature ${signature(d)} fails: a signed header field was changed after signing, or the key does not match.`,
    remedy: (_f, d) => `Sign as the last step and make sure ${keyName(d)} publishes the key the server signs with.`,
  },
  'dkim.key-missing': {
    level: 'info',
    message: (_f, d) => `No DKIM key is published at ${keyName(d)} for the signature ${signature(d)}.`,
    remedy: (_f, d) => `Publish the public key as a TXT record at ${keyName(d)}.`,
  },
  'dkim.key-revoked': {
    level: 'info',
    message: (_f, d) => `The DKIM key at ${keyName(d)} is revoked (empty p=).`,
    remedy: (_f, d) => `Sign with a current key and publish it at a new selector of ${d.domain || 'your domain'}.`,
  },
  'dkim.key-too-short': {
    level: 'info',
    message: (_f, d) => `The DKIM key at ${keyName(d)} is shorter than 1024 bits (RFC 8301 §3.2).`,
    remedy: (_f, d) =>
      `Generate a 2048-bit RSA key (mailtrust dkim keygen --domain ${d.domain || 'example.com'} --selector NEW) and sign with it.`,
  },
  'dkim.rsa-sha1': {
    level: 'info',
    message: (_f, d) => `The DKIM signature ${signature(d)} uses rsa-sha1, which RFC 8301 no longer accepts.`,
    remedy: () => 'Sign with rsa-sha256 (or ed25519-sha256).',
  },
  'dkim.testing': {
    level: 'info',
    message: (_f, d) => `The DKIM key at ${keyName(d)} is marked as testing (t=y).`,
    remedy: (_f, d) => `Remove t=y from the key record at ${keyName(d)} once signing works.`,
  },
  'dkim.unaligned': {
    level: 'info',
    message: (f, d) =>
      `DKIM signatures pass only for ${list(d.names)}, not for the From domain ${f.fromDomain || '?'}.`,
    remedy: (f) =>
      `Sign with d=${f.fromDomain || f.senderDomain} (your own domain); sending services offer custom-domain DKIM for this.`,
  },
  'dkim.expired': {
    level: 'info',
    message: (_f, d) => `The DKIM signature ${signature(d)} has expired (x=).`,
    remedy: () => 'Use a longer expiry (x=) or none, so signatures outlive delivery delays.',
  },
  'dkim.from-not-signed': {
    level: 'info',
    message: (_f, d) => `The DKIM signature ${signature(d)} does not cover the From header.`,
    remedy: () => 'Include From in the signed header fields (h=) of the signature.',
  },
  'dkim.syntax': {
    level: 'info',
    message: (_f, d) => `The DKIM signature ${signature(d)} or its key record is malformed${because(d)}.`,
    remedy: (_f, d) => `Fix the signer's configuration and the key record at ${keyName(d)} (RFC 6376 §3.5, §3.6.1).`,
  },
  'dmarc.none': {
    level: 'info',
    // With a reason (several records), RFC 7489 §6.6.3 still ends in "none", but the fix is different.
    message: (f, d) =>
      d.reason
        ? `The domain ${fromOr(f, d)} publishes ${d.reason}, so no DMARC policy applies (RFC 7489 §6.6.3).`
        : `The domain ${fromOr(f, d)} publishes no DMARC record.`,
    remedy: (f, d) =>
      d.reason
        ? `Keep exactly one v=DMARC1 TXT record at _dmarc.${fromOr(f, d)} and delete the others, e.g. ${dmarcRecord(fromOr(f, d))}.`
        : `Publish one, e.g. ${dmarcRecord(fromOr(f, d))}, then move to p=quarantine or p=reject once SPF and DKIM align.`,
  },
  'dmarc.fail': {
    level: 'info',
    message: (f, d) => `DMARC fails for ${fromOr(f, d)}.`,
    remedy: (f, d) => `Make SPF or DKIM pass for a domain aligned with ${fromOr(f, d)}.`,
  },
  'dmarc.permerror': {
    level: 'info',
    message: (f, d) => `The DMARC record of ${fromOr(f, d)} cannot be used (permerror)${because(d)}.`,
    remedy: (f, d) => `Publish exactly one valid DMARC record, e.g. ${dmarcRecord(fromOr(f, d))}.`,
  },
  'dmarc.policy-none': {
    level: 'info',
    message: (f, d) => `The DMARC policy of ${fromOr(f, d)} is p=none, so receivers are not asked to act on failures.`,
    remedy: (f, d) =>
      `Once your reports show SPF and DKIM aligned, set p=quarantine or p=reject in _dmarc.${fromOr(f, d)}.`,
  },
  'dmarc.pct': {
    level: 'info',
    message: (f, d) => `The DMARC policy of ${fromOr(f, d)} applies only to part of the mail (pct below 100).`,
    remedy: () => 'Remove pct= (or set pct=100) once the policy is safe.',
  },
  'dmarc.no-rua': {
    level: 'info',
    message: (f, d) => `The DMARC record of ${fromOr(f, d)} asks for no aggregate reports (no rua=).`,
    remedy: (f, d) => `Add rua=mailto:dmarc-reports@${fromOr(f, d)} to see who sends in your name.`,
  },
  'dmarc.rua-unauthorized': {
    level: 'info',
    message: (f, d) =>
      `The DMARC report address of ${fromOr(f, d)} is in another domain that has not agreed to receive reports.`,
    remedy: () =>
      'Have the report domain publish the RFC 7489 §7.1 authorization record, or send reports to your own domain.',
  },
  'headers.subject-missing': {
    level: 'low',
    message: () => 'The message has no Subject header.',
    remedy: () => 'Give every message a Subject header (RFC 5322 §3.6.5).',
  },
  'headers.to-missing': {
    level: 'low',
    message: () => 'The message has no To header.',
    remedy: () => 'Give every message a To header naming the recipient (RFC 5322 §3.6.3).',
  },
  'headers.date-missing': {
    level: 'low',
    message: () => 'The message has no Date header.',
    remedy: () => 'Add a Date header when the message is sent (RFC 5322 §3.6.1 requires it).',
  },
  'headers.date-invalid': {
    level: 'low',
    message: (_f, d) =>
      `The Date header${d.value ? ` ${JSON.stringify(d.value)}` : ''} is not an RFC 5322 date${because(d)}.`,
    remedy: () => 'Write Date in RFC 5322 §3.3 form, e.g. Date: Tue, 1 Jul 2025 10:00:00 +0000.',
  },
  'headers.message-id-missing': {
    level: 'low',
    message: () => 'The message has no Message-ID header.',
    remedy: (f) => `Add a unique Message-ID, e.g. Message-ID: <unique-id@${f.senderDomain}> (RFC 5322 §3.6.4).`,
  },
  'headers.reply-to-invalid': {
    level: 'low',
    message: (_f, d) =>
      `The Reply-To header${d.value ? ` ${JSON.stringify(d.value)}` : ''} is not a valid address list${because(d)}.`,
    remedy: () => 'Write Reply-To as RFC 5322 addresses, e.g. Reply-To: Visitor <visitor@example.net>.',
  },
  'headers.duplicate': {
    level: 'low',
    message: (_f, d) => `The ${d.field || 'same'} header appears more than once, though RFC 5322 §3.6 allows it once.`,
    remedy: (_f, d) => `Send the ${d.field || 'duplicated'} header only once.`,
  },
  'headers.address-invalid': {
    level: 'info',
    message: (_f, d) =>
      `The address${d.value ? ` ${JSON.stringify(d.value)}` : ''}${inField(d)} is not valid${because(d)}.`,
    remedy: () => 'Write every address in From, Sender, Reply-To, To and Cc in RFC 5322 form (user@example.com).',
  },
  'forward.detected': {
    level: 'info',
    message: (_f, d) =>
      `The message was forwarded (${d.reason || 'forwarding seen'}), and an aligned DKIM signature of ${d.domain || '?'} still passes.`,
    remedy: () =>
      'Nothing to change; forwarders should keep passing messages on unchanged so the DKIM signature survives.',
  },
  'forward.arc-trusted': {
    level: 'info',
    message: (_f, d) =>
      `The message was forwarded by ${d.domain || '?'}, a trusted forwarder whose ARC record counts for authentication (${d.reason || 'no results recorded'}).`,
    remedy: (_f, d) =>
      `Nothing to change; ${d.domain || 'the forwarder'} should keep ARC-sealing and passing messages on unchanged.`,
  },
  'forward.dkim-broken': {
    level: 'info',
    message: (_f, d) =>
      `The message was forwarded and the forwarder broke the DKIM signature ${signature(d)}: ${d.reason || 'the message was changed'}.`,
    remedy: (_f, d) =>
      `Configure the forwarding server to pass messages on unchanged (no footers, subject tags or header rewriting) so the signature of ${d.domain || 'the sender'} survives, or to ARC-seal what it received.`,
  },
  'arc.fail': {
    level: 'info',
    message: (_f, d) => `The ARC chain does not validate${because(d)}.`,
    remedy: () => 'Forwarders must ARC-seal with published keys and must not change ARC sets added before them.',
  },
  'mx.none': {
    level: 'info',
    message: (f, d) => `The domain ${fromOr(f, d)} publishes no MX record.`,
    remedy: (f, d) => `Publish an MX record for ${fromOr(f, d)}, e.g. ${fromOr(f, d)}. MX 10 mail.${fromOr(f, d)}.`,
  },
  'mx.null': {
    level: 'info',
    message: (f, d) => `The domain ${fromOr(f, d)} publishes a null MX: it accepts no mail (RFC 7505).`,
    remedy: (f, d) => `Replace the null MX of ${fromOr(f, d)} by real MX hosts if the domain should receive replies.`,
  },
  'mx.host-unresolvable': {
    level: 'info',
    message: (f, d) => `The MX host ${d.name || '?'} of ${fromOr(f, d)} has no A or AAAA record.`,
    remedy: (_f, d) => `Publish an A record for ${d.name || 'the MX host'}, or point the MX at a host that has one.`,
  },
  'dns.temperror': {
    level: 'low',
    message: (_f, d) => `Some DNS lookups failed for now — ${list(d.names)} — so the result may change on a retry.`,
    remedy: () =>
      'Retry later; if it persists, make sure the authoritative name servers of the names above answer every query.',
  },
};

/** Position of each id in the table, to order reasons of the same level deterministically. */
export const FINDING_ORDER: ReadonlyMap<string, number> = new Map(Object.keys(FINDINGS).map((id, i) => [id, i]));

/** Plain words for the header check's reason codes (`HeaderReason` of src/core/headers). */
export const HEADER_REASON_TEXT: Readonly<Record<string, string>> = {
  syntax: 'it does not parse as RFC 5322',
  'too-long': 'it is too long',
  'invalid-utf8': 'it is not valid UTF-8',
  empty: 'it is empty',
  'too-many-mailboxes': 'it lists too many mailboxes',
  'no-mailbox': 'it holds no mailbox',
  'not-single-mailbox': 'it must hold exactly one mailbox',
  'several-fields': 'the field appears more than once',
  'several-mailboxes-without-sender': 'several From mailboxes need a Sender field',
  'out-of-range': 'a value is out of range',
  'weekday-mismatch': 'the weekday does not match the date',
  missing: 'it is missing',
  invalid: 'it is not valid',
  'no-destination': 'no To, Cc or Bcc names a recipient',
  'cc-or-bcc-only': 'only Cc or Bcc names recipients',
  'address-literal': 'it uses an address literal instead of a domain',
  'not-fqdn': 'it is not a fully qualified domain name',
  'special-use': 'it is under a special-use suffix that does not exist in public DNS',
  nxdomain: 'it does not exist',
  'null-mx': 'it publishes a null MX (RFC 7505)',
  'no-mail-records': 'it has no MX, A or AAAA record',
};

/** Plain words for the two ways a DKIM signature breaks in transit (RFC 6376 §6.1.3). */
export const BROKEN_SIGNATURE_TEXT: Readonly<Record<string, string>> = {
  'dkim.body-hash': 'the body was changed after signing',
  'dkim.signature': 'a signed header field was changed after signing, or the key does not match',
};

/** A header field name as RFC 5322 writes it: `reply-to` → `Reply-To`, `message-id` → `Message-ID`. */
export function displayFieldName(name: string): string {
  return name
    .split('-')
    .map((part) => (part.toLowerCase() === 'id' ? 'ID' : part.charAt(0).toUpperCase() + part.slice(1).toLowerCase()))
    .join('-');
}

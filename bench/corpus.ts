/**
 * The reference corpus of the benchmark (docs/performance.md), generated at run time and deterministic for a seed: message
 * sizes, bodies, header values and the order are fixed; only the RSA keys are fresh each run.
 *
 * - bodies: 50% ~2 KB, 35% ~20 KB, 15% ~200 KB (plain text, 72-column lines, some trailing blanks and doubled spaces
 *   so that relaxed canonicalization has work to do);
 * - every message DKIM-signed rsa-sha256 with a 2048-bit key (relaxed/relaxed, the default header list);
 * - a quarter carry one ARC set sealed by a forwarder (i=1, cv=none), on top of the DKIM signature;
 * - SPF: the MAIL FROM domain's record reaches the client's network through two nested includes;
 * - DMARC `p=reject` for every author domain; PTR and HELO forward-confirm the client.
 */
import {
  generateDkimKey,
  prependArcSet,
  prependHeader,
  sealArc,
  signDkim,
  type Envelope,
  type ZoneRecord,
} from '../src/core/index.js';
import { seededRandom } from '../test/support/random.js';

/** One size class of the corpus: this share of the messages has bodies of about `bytes`. */
export interface SizeClass {
  share: number;
  bytes: number;
}

export const referenceSizes: readonly SizeClass[] = [
  { share: 0.5, bytes: 2 * 1024 },
  { share: 0.35, bytes: 20 * 1024 },
  { share: 0.15, bytes: 200 * 1024 },
];

export interface CorpusOptions {
  count: number;
  seed?: number;
  sizes?: readonly SizeClass[];
  /** Share of messages with an ARC set (default 0.25). */
  arcShare?: number;
  /** RSA modulus (default 2048). */
  bits?: number;
}

export interface CorpusMessage {
  raw: Uint8Array;
  envelope: Envelope;
  /** Author (From) domain = DKIM d= = MAIL FROM domain. */
  domain: string;
  /** Whether an ARC set is on top of the message. */
  arc: boolean;
  bodyBytes: number;
}

export interface Corpus {
  messages: CorpusMessage[];
  /** Every record the messages need: keys, SPF, DMARC, PTR, A. */
  zone: ZoneRecord[];
  /** The clock to evaluate with (one hour after signing). */
  now: Date;
  /** The sealing domain of the ARC sets. */
  arcDomain: string;
  /** Private keys, for callers that sign more messages (the 100 MB streaming one). */
  signers: { domain: string; selector: string; privateKeyPem: string }[];
}

export const clientIp = '192.0.2.25';
export const clientHelo = 'mail.example.com';
export const signingTime = new Date('2026-01-15T10:00:00Z');
export const authorDomains = ['example.com', 'example.net', 'example.org'] as const;
export const arcDomain = 'forwarder.example.net';
export const recipientDomain = 'recipient.example';

const WORDS =
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there one all we their can has more when will would who so no if out up said what its about into than them only other new some could these two may first then do any like my now over such our man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three'.split(
    ' ',
  );

/** Plain-text body of about `bytes` bytes, CRLF lines of at most 76 characters. */
export function makeBody(random: () => number, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    let line = '';
    const target = 40 + Math.floor(random() * 34);
    while (line.length < target) {
      const word = WORDS[Math.floor(random() * WORDS.length)] ?? 'word';
      line += line === '' ? word : (random() < 0.03 ? '  ' : ' ') + word;
    }
    if (random() < 0.05) line += ' \t';
    if (random() < 0.04) {
      lines.push('');
      size += 2;
    }
    lines.push(line);
    size += line.length + 2;
  }
  return lines.join('\r\n') + '\r\n';
}

function txt(name: string, value: string | string[]): ZoneRecord {
  const strings = (Array.isArray(value) ? value : [value]).map((s) => new TextEncoder().encode(s));
  return { name, ttl: 3600, type: 'TXT', strings };
}

/** Zone records for the author domains and the forwarder (keys added by `buildCorpus`). */
export function baseZone(): ZoneRecord[] {
  const zone: ZoneRecord[] = [
    { name: clientHelo, ttl: 3600, type: 'A', address: clientIp },
    { name: '25.2.0.192.in-addr.arpa', ttl: 3600, type: 'PTR', target: clientHelo },
    // The recipient's domain (To) accepts mail, as the header check asks of every address domain.
    { name: recipientDomain, ttl: 3600, type: 'MX', priority: 10, exchange: `mx.${recipientDomain}` },
    { name: `mx.${recipientDomain}`, ttl: 3600, type: 'A', address: '198.51.100.7' },
  ];
  for (const domain of authorDomains) {
    // SPF with two nested includes (RFC 7208 §5.2): domain → _spf.domain → _netblocks.domain.
    zone.push(txt(domain, `v=spf1 include:_spf.${domain} -all`));
    zone.push(txt(`_spf.${domain}`, `v=spf1 include:_netblocks.${domain} -all`));
    zone.push(txt(`_netblocks.${domain}`, 'v=spf1 ip4:198.51.100.0/24 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all'));
    zone.push(txt(`_dmarc.${domain}`, `v=DMARC1; p=reject; rua=mailto:dmarc@${domain}`));
    // One host sends and receives for every author domain: the HELO name is the domains' MX (a trusted sender).
    zone.push({ name: domain, ttl: 3600, type: 'MX', priority: 10, exchange: clientHelo });
  }
  zone.push(txt(arcDomain, 'v=spf1 -all'));
  return zone;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/** Builds a header + body for author `domain`, unsigned. */
export function makeMessage(random: () => number, index: number, domain: string, body: string): string {
  const date = new Date(signingTime.getTime() - index * 1000).toUTCString().replace('GMT', '+0000');
  return (
    `From: "Sender ${index}" <news${index % 7}@${domain}>\r\n` +
    `To: "Customer" <customer${index % 13}@${recipientDomain}>\r\n` +
    `Subject: Your order ${index} and ${Math.floor(random() * 1e6)} more things\r\n` +
    `Date: ${date}\r\n` +
    `Message-ID: <${index}.${Math.floor(random() * 1e9)}@${domain}>\r\n` +
    'MIME-Version: 1.0\r\n' +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    'Content-Transfer-Encoding: 8bit\r\n' +
    '\r\n' +
    body
  );
}

/** Generates the corpus. Key generation makes this async (RSA keys are fresh each run). */
export async function buildCorpus(options: CorpusOptions): Promise<Corpus> {
  const random = seededRandom(options.seed ?? 20260115);
  const sizes = options.sizes ?? referenceSizes;
  const bits = options.bits ?? 2048;
  const zone = baseZone();
  const keys = await Promise.all(
    [...authorDomains, arcDomain].map(async (domain) => {
      const pair = await generateDkimKey({ domain, selector: 'sel2026', bits });
      if (!pair.ok) throw new Error(`keygen: ${pair.error.message}`);
      zone.push(txt(pair.value.name, pair.value.txtStrings));
      return { domain, selector: 'sel2026', privateKeyPem: pair.value.privateKeyPem };
    }),
  );
  const arcKey = keys[keys.length - 1]!;

  // Size classes by exact counts, then shuffled; ARC on exactly arcShare of the messages, independently shuffled.
  const classOf: number[] = [];
  sizes.forEach((size, k) => {
    const n = k === sizes.length - 1 ? options.count - classOf.length : Math.round(size.share * options.count);
    for (let i = 0; i < n; i++) classOf.push(k);
  });
  shuffle(classOf, random);
  const arcCount = Math.round((options.arcShare ?? 0.25) * options.count);
  const arcFlags = shuffle(
    Array.from({ length: options.count }, (_, i) => i < arcCount),
    random,
  );

  const messages: CorpusMessage[] = [];
  for (let i = 0; i < options.count; i++) {
    const domain = authorDomains[i % authorDomains.length]!;
    const key = keys[i % authorDomains.length]!;
    const bytes = sizes[classOf[i]!]!.bytes;
    const body = makeBody(random, Math.round(bytes * (0.9 + random() * 0.2)));
    let raw: Uint8Array = Buffer.from(makeMessage(random, i, domain, body), 'utf8');
    const signature = signDkim(raw, {
      domain,
      selector: key.selector,
      privateKey: key.privateKeyPem,
      now: signingTime,
    });
    if (!signature.ok) throw new Error(`sign: ${signature.error.message}`);
    raw = prependHeader(raw, signature.field);
    const arc = arcFlags[i] === true;
    if (arc) {
      const sealed = sealArc(raw, {
        domain: arcDomain,
        selector: arcKey.selector,
        privateKey: arcKey.privateKeyPem,
        authservId: 'mx.forwarder.example.net',
        authResults: `spf=pass smtp.mailfrom=bounce@${domain}; dkim=pass header.d=${domain}; dmarc=pass header.from=${domain}`,
        now: signingTime,
      });
      if (!sealed.ok) throw new Error(`seal: ${sealed.error.message}`);
      raw = prependArcSet(raw, sealed.value);
    }
    messages.push({
      raw,
      envelope: {
        ip: clientIp,
        helo: clientHelo,
        mailFrom: `bounce@${domain}`,
        rcptTo: [`customer@${recipientDomain}`],
      },
      domain,
      arc,
      bodyBytes: body.length,
    });
  }
  return {
    messages,
    zone,
    now: new Date(signingTime.getTime() + 3600_000),
    arcDomain,
    signers: keys,
  };
}

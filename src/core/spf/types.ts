/** Types of the SPF module: records (RFC 7208 §4.5, §5, §6, §12), results (§2.6) and the evaluation trace. */
import type { DnsFailureKind } from '../dns/types.js';
import type { IpAddress } from '../ip/address.js';

/** A qualifier (RFC 7208 §4.6.2): `+` pass, `-` fail, `~` softfail, `?` neutral. */
export type SpfQualifier = '+' | '-' | '~' | '?';

/** A macro letter (RFC 7208 §7.2); `c`, `r`, `t` only in explanation strings. */
export type MacroLetter = 's' | 'l' | 'o' | 'd' | 'i' | 'p' | 'v' | 'h' | 'c' | 'r' | 't';

/** One piece of a macro-string (RFC 7208 §7.1): literal text, or a `%{…}` macro to expand. */
export type MacroToken =
  | { kind: 'literal'; text: string }
  | {
      kind: 'macro';
      letter: MacroLetter;
      /** Upper-case letter: URL-encode the expansion (RFC 7208 §7.3). */
      urlEncode: boolean;
      /** Number of right-hand parts to keep (0 = all). */
      rightParts: number;
      reverse: boolean;
      /** Characters to split on (default `.`). */
      delimiters: string;
    };

/** A parsed macro-string with its source text. */
export interface MacroString {
  source: string;
  tokens: MacroToken[];
  /** True when the string ends in a macro-expand (`%{…}`, `%%`, `%_`, `%-`), which may end a domain-spec (§7.1). */
  endsWithMacro: boolean;
}

interface TermBase {
  qualifier: SpfQualifier;
  /** The term as written in the record (with its qualifier, if one was written). */
  text: string;
  /** Character offset of the term in the record. */
  offset: number;
}

/** A mechanism (RFC 7208 §5). CIDR lengths default to 32 and 128. */
export type SpfMechanism =
  | (TermBase & { kind: 'all' })
  | (TermBase & { kind: 'include'; domain: MacroString })
  | (TermBase & { kind: 'a' | 'mx'; domain: MacroString | undefined; cidr4: number; cidr6: number })
  | (TermBase & { kind: 'ptr'; domain: MacroString | undefined })
  | (TermBase & { kind: 'ip4' | 'ip6'; network: IpAddress; prefix: number })
  | (TermBase & { kind: 'exists'; domain: MacroString });

export type SpfMechanismKind = SpfMechanism['kind'];

/** A modifier (RFC 7208 §6): `redirect=`, `exp=`, or an unknown one (kept, ignored). */
export interface SpfModifier {
  name: string;
  value: MacroString;
  text: string;
  offset: number;
}

/** A parsed SPF record (RFC 7208 §4.5, §12). */
export interface SpfRecord {
  /** The record text as published. */
  text: string;
  mechanisms: SpfMechanism[];
  redirect: SpfModifier | undefined;
  exp: SpfModifier | undefined;
  /** Unknown modifiers (RFC 7208 §6: ignored). */
  otherModifiers: SpfModifier[];
}

/** The results of check_host() (RFC 7208 §2.6). */
export type SpfResultCode = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror';

/** Which identity was checked (RFC 7208 §2.3, §2.4). */
export type SpfIdentity = 'mailfrom' | 'helo';

/**
 * Why a result is an error or `none` (finding ids of docs/policy.md where one fits):
 * - `spf.none`: no SPF record, or a domain that cannot have one (RFC 7208 §4.3, §4.5);
 * - `spf.temperror`: a DNS lookup failed for now, or the check was aborted (RFC 7208 §2.6.6);
 * - `spf.permerror`: a record that cannot be read or followed (RFC 7208 §2.6.7), or an address that is not one;
 * - `spf.multiple-records`: more than one SPF record at a domain (RFC 7208 §4.5);
 * - `spf.too-many-lookups`: over the DNS-querying terms (or MX names) allowed (RFC 7208 §4.6.4);
 * - `spf.too-many-void-lookups`: over the lookups returning no records allowed (RFC 7208 §4.6.4).
 */
export type SpfErrorCode =
  | 'spf.none'
  | 'spf.temperror'
  | 'spf.permerror'
  | 'spf.multiple-records'
  | 'spf.too-many-lookups'
  | 'spf.too-many-void-lookups';

/** Why a result is an error, or other non-pass detail. */
export interface SpfError {
  code: SpfErrorCode;
  message: string;
}

/** Record types the SPF evaluation queries. */
export type SpfQueryType = 'TXT' | 'A' | 'AAAA' | 'MX' | 'PTR';

/** One step of an evaluation, in the order it happened (`depth` 0 is the checked domain, +1 per include/redirect). */
export type SpfTraceEntry =
  | {
      type: 'query';
      depth: number;
      name: string;
      rrtype: SpfQueryType;
      outcome: 'ok' | DnsFailureKind;
      records: string[];
    }
  | { type: 'record'; depth: number; domain: string; record: string }
  | {
      type: 'term';
      depth: number;
      domain: string;
      term: string;
      outcome: 'match' | 'no-match' | 'error';
      /** DNS-querying terms counted so far (RFC 7208 §4.6.4). */
      lookups: number;
      /** The target name after macro expansion, for terms that have one. */
      target?: string;
    }
  | { type: 'result'; depth: number; domain: string; result: SpfResultCode };

/** The outcome of an SPF check: the `spf` object of docs/cli.md plus the trace. */
export interface SpfResult {
  result: SpfResultCode;
  /** The domain whose policy was checked (the MAIL FROM domain, or the HELO name). */
  domain: string;
  identity: SpfIdentity;
  /** The term that decided the result, as written in the checked domain's record (or its redirect target's). */
  mechanism?: string;
  /** DNS-querying terms evaluated (RFC 7208 §4.6.4), out of `limits.spfDnsMechanisms`. */
  lookups: number;
  voidLookups: number;
  /** The expanded `exp=` text, when the result is `fail` and the explanation could be fetched (RFC 7208 §6.2). */
  explanation?: string;
  error?: SpfError;
  trace: SpfTraceEntry[];
}

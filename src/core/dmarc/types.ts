/**
 * DMARC evaluation inputs and result (RFC 7489 §6.6, docs/cli.md `dmarc`).
 *
 * The inputs are structural: the SPF and DKIM results of src/core/spf and src/core/dkim fit them as they are,
 * and DMARC only reads them (docs/architecture.md).
 */
import type { AlignmentMode, DmarcPolicy, DmarcRecord } from './record.js';

/** RFC 8601 §2.7.2 SPF result values. */
export type DmarcSpfResultValue = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror';
/** RFC 8601 §2.7.1 DKIM result values. */
export type DmarcDkimResultValue = 'pass' | 'fail' | 'neutral' | 'temperror' | 'permerror' | 'policy' | 'none';

/** What DMARC reads of the SPF result: its result and the domain checked (MAIL FROM, or HELO for `<>`). */
export interface DmarcSpfInput {
  readonly result: DmarcSpfResultValue;
  readonly domain: string;
}

/** What DMARC reads of one DKIM signature's result: its result and `d=`. */
export interface DmarcDkimInput {
  readonly result: DmarcDkimResultValue;
  readonly domain: string;
}

/** The input of evaluateDmarc. */
export interface DmarcInput {
  /** The RFC5322.From domain (see authorDomain()); U-labels are accepted. */
  readonly fromDomain: string;
  readonly spf: DmarcSpfInput | undefined;
  readonly dkim: readonly DmarcDkimInput[];
}

/** RFC 7489 §11.2 / RFC 8601 DMARC result values. */
export type DmarcResultValue = 'pass' | 'fail' | 'none' | 'temperror' | 'permerror';

/** How one authenticated identifier relates to the From domain (RFC 7489 §3.1). */
export interface IdentifierAlignment {
  /** The identifier's domain, normalized (A-labels, lower case). */
  domain: string;
  /** The SPF or DKIM result as given. */
  result: DmarcSpfResultValue | DmarcDkimResultValue;
  /** The domain is aligned under the mode in force (regardless of the result). */
  aligned: boolean;
  /** `result` is pass and the domain is aligned: this identifier makes DMARC pass. */
  counts: boolean;
}

/** Why a DMARC result is not pass/fail, or extra detail about it. */
export interface DmarcError {
  code:
    | 'headers.from-invalid'
    | 'dmarc.none'
    | 'dmarc.multiple-records'
    | 'dmarc.policy-missing'
    | 'dns.timeout'
    | 'dns.servfail'
    | 'dns.refused';
  message: string;
}

/** Where the applied policy came from. */
export type PolicySource = 'p' | 'sp' | 'np';

/** The `dmarc` object of docs/cli.md, with what explains it. */
export interface DmarcResult {
  result: DmarcResultValue;
  /** The From domain evaluated (A-labels, lower case). */
  domain: string;
  /** Its Organizational Domain (RFC 7489 §3.2; the name itself when it is a public suffix). */
  organizationalDomain: string;
  /** The policy that applies to this message: `p`, `sp` or `np`; `none` without a usable record. */
  policy: DmarcPolicy;
  /** Which tag `policy` came from, when a record was found. */
  policySource?: PolicySource;
  /** `pct` of the record (100 without one); sample with sampledPolicy(). */
  pct: number;
  /** An SPF pass / DKIM pass with an aligned domain exists (what makes `pass`). */
  alignment: { spf: boolean; dkim: boolean };
  /** Modes used for alignment (the record's, relaxed without a record). */
  modes: { spf: AlignmentMode; dkim: AlignmentMode };
  /** Each identifier that was given, in input order (`dkim[i]` is the i-th signature's). */
  identifiers: { spf?: IdentifierAlignment; dkim: IdentifierAlignment[] };
  /** The record found, and where. */
  record?: DmarcRecord;
  recordDomain?: string;
  /** For `np` (RFC 9091): whether the From domain exists, when that had to be asked; absent when unknown. */
  fromDomainExists?: boolean;
  /** The `_dmarc` names queried, in order. */
  queried: string[];
  error?: DmarcError;
}

/**
 * Authentication-Results (RFC 8601) as data: what the parser returns and the formatter writes.
 */

/** One `propspec` (RFC 8601 §2.2): `ptype.property=value`, e.g. `header.d=example.com`. */
export interface AuthResProperty {
  /** `smtp`, `header`, `body`, `policy` (lower case). Empty for a non-standard bare `name=value` (seen in the wild). */
  ptype: string;
  /** Lower case, e.g. `mailfrom`, `d`, `from`. */
  property: string;
  /** As written, unquoted. */
  value: string;
}

/** One `resinfo` (RFC 8601 §2.2): `method[/version]=result [reason=…] [props…]`. */
export interface AuthResEntry {
  /** Lower case, e.g. `spf`, `dkim`, `dmarc`, `arc`, `iprev`. */
  method: string;
  methodVersion?: number;
  /** Lower case, e.g. `pass`, `temperror`. */
  result: string;
  reason?: string;
  properties: AuthResProperty[];
}

/** A parsed Authentication-Results payload (RFC 8601 §2.2 `authres-payload`). */
export interface AuthenticationResults {
  authservId: string;
  /** `authres-version`, when given (only 1 is defined). */
  version?: number;
  /** The results; empty for `none` (§2.2 `no-result`). */
  results: AuthResEntry[];
}

/** A parsed ARC-Authentication-Results value (RFC 8617 §4.1.1): the instance, then the payload. */
export interface ArcAuthenticationResults extends AuthenticationResults {
  instance: number;
}

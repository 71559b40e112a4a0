/**
 * What the verdict reads (docs/cli.md, docs/trust-model.md): the results of every check, as structural subsets. The results of
 * src/core/{iprev,helo,spf,dkim,dmarc,arc} fit as they are; the header check's result is described here by shape.
 */
import type { ForwardingInput } from '../forwarding/index.js';
import type { HeloResult } from '../helo/check.js';
import type { IprevResult } from '../iprev/check.js';

/** What is read of the iprev result (RFC 8601 §3). */
export type IprevView = Pick<IprevResult, 'result' | 'names' | 'ptrNames' | 'findings'> &
  Partial<Pick<IprevResult, 'dnsError'>>;

/** What is read of the HELO result (RFC 5321 §2.3.5, §4.1.1.1). */
export type HeloView = Pick<HeloResult, 'result' | 'name' | 'findings'> &
  Partial<Pick<HeloResult, 'addresses' | 'dnsError'>>;

/** One header finding with the values that explain it. */
export interface HeaderFindingDetail {
  id: string;
  field?: string | undefined;
  value?: string | undefined;
  domain?: string | undefined;
  reason?: string | undefined;
}

/** The result of the RFC 5322 header check (`headers.*` findings, docs/trust-model.md). */
export interface HeadersView {
  result: 'pass' | 'fail' | 'temperror';
  findings: readonly string[];
  details?: readonly HeaderFindingDetail[] | undefined;
  /** The DNS failure behind a temperror. */
  dnsError?: string | undefined;
}

/** The input of {@link decideVerdict}: every check's result for one message. */
export interface VerdictInput extends ForwardingInput {
  envelope: {
    /** The client address. */
    ip: string;
    helo?: string | undefined;
    /** The reverse-path: an address, or `''` (or `<>`) for the null sender. */
    mailFrom?: string | undefined;
  };
  iprev: IprevView;
  helo: HeloView;
  headers?: HeadersView | undefined;
  /** MX hosts of the sender's domain (the From domain's), for `helo.not-mx`; undefined when not looked up. */
  senderMxHosts?: readonly string[] | undefined;
}

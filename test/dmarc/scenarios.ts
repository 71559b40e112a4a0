/**
 * DMARC scenarios: one zone, and per scenario the evaluateDmarc() input and what must come out.
 * Each scenario is data (zone names under .test / .example / example.co.uk), so a bug becomes one more row.
 */
import type { Rule, ZoneShorthand } from '../support/dns-server.js';
import type { DmarcInput } from '../../src/core/dmarc/index.js';

export const zone: ZoneShorthand = {
  'example.com': { A: ['192.0.2.1'], MX: [[10, 'mx.example.com']] },
  'mail.example.com': { A: ['192.0.2.2'] },
  '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@example.com'] },

  '_dmarc.strict.test': { TXT: ['v=DMARC1; p=reject; adkim=s; aspf=s'] },
  'sub.strict.test': { A: ['192.0.2.3'] },

  '_dmarc.np.test': { TXT: ['v=DMARC1; p=quarantine; sp=none; np=reject'] },
  'exists.np.test': { MX: [[10, 'mx.np.test']] },
  'slow.np.test': { TXT: ['x'] },

  '_dmarc.pct.test': { TXT: ['v=DMARC1; p=reject; pct=25'] },

  '_dmarc.multi.test': { TXT: ['v=DMARC1; p=reject', 'v=DMARC1; p=none'] },
  '_dmarc.sub.multi2.test': { TXT: ['v=DMARC1; p=none', 'v=DMARC1; p=quarantine'] },
  '_dmarc.multi2.test': { TXT: ['v=DMARC1; p=reject'] },

  '_dmarc.withown.test': { TXT: ['v=DMARC1; p=reject; sp=reject'] },
  '_dmarc.sub.withown.test': { TXT: ['v=DMARC1; p=none'] },

  '_dmarc.broken.test': { TXT: ['v=DMARC1; p=bogus'] },
  '_dmarc.repaired.test': { TXT: ['v=DMARC1; p=bogus; rua=mailto:reports@repaired.test'] },
  '_dmarc.badsp.test': { TXT: ['v=DMARC1; p=reject; sp=maybe'] },
  '_dmarc.other.test': { TXT: ['v=spf1 -all', 'v=DMARC10; p=none', 'something else', 'v=DMARC1; p=quarantine'] },
  '_dmarc.notdmarc.test': { TXT: ['v=spf1 -all', 'v=dmarc1; p=reject'] },
  '_dmarc.split.test': { TXT: [['v=DMARC1; p=rej', 'ect; adkim=s']] },

  '_dmarc.example.co.uk': { TXT: ['v=DMARC1; p=reject'] },
  'mail.example.co.uk': { A: ['192.0.2.4'] },

  '_dmarc.xn--bcher-kva.example': { TXT: ['v=DMARC1; p=reject'] },
  '_dmarc.alice.github.io': { TXT: ['v=DMARC1; p=reject'] },

  'none.test': { A: ['192.0.2.5'] },
};

export const rules: Rule[] = [
  { name: '_dmarc.timeout.test', action: 'timeout' },
  { name: '_dmarc.servfail.test', action: 'servfail' },
  { name: '_dmarc.refused.test', action: 'refused' },
  { name: '_dmarc.orgtimeout.test', action: 'timeout' },
  { name: 'ghost2.np.test', type: 'A', action: 'servfail' },
];

export interface Expected {
  result: 'pass' | 'fail' | 'none' | 'temperror' | 'permerror';
  domain?: string;
  organizationalDomain?: string;
  policy?: 'none' | 'quarantine' | 'reject';
  policySource?: 'p' | 'sp' | 'np' | undefined;
  pct?: number;
  alignment?: { spf: boolean; dkim: boolean };
  recordDomain?: string | undefined;
  errorCode?: string | undefined;
  queried?: string[];
  fromDomainExists?: boolean | undefined;
  /** Per DKIM input, whether its domain aligned. */
  dkimAligned?: boolean[];
  spfAligned?: boolean;
}

export interface Scenario {
  name: string;
  input: DmarcInput;
  expected: Expected;
}

const pass = 'pass' as const;
const fail = 'fail' as const;

export const scenarios: Scenario[] = [
  {
    name: 'SPF pass for the From domain itself',
    input: { fromDomain: 'example.com', spf: { result: pass, domain: 'example.com' }, dkim: [] },
    expected: {
      result: 'pass',
      policy: 'reject',
      policySource: 'p',
      alignment: { spf: true, dkim: false },
      recordDomain: 'example.com',
      queried: ['_dmarc.example.com'],
      errorCode: undefined,
    },
  },
  {
    name: 'relaxed SPF: MAIL FROM in a subdomain of the From domain',
    input: { fromDomain: 'example.com', spf: { result: pass, domain: 'bounce.example.com' }, dkim: [] },
    expected: { result: 'pass', alignment: { spf: true, dkim: false }, spfAligned: true },
  },
  {
    name: 'SPF fail for the aligned domain, no DKIM → fail with p=reject',
    input: { fromDomain: 'example.com', spf: { result: fail, domain: 'example.com' }, dkim: [] },
    expected: { result: 'fail', policy: 'reject', alignment: { spf: false, dkim: false }, spfAligned: true },
  },
  {
    name: 'SPF pass for an unrelated domain (spoofed From)',
    input: { fromDomain: 'example.com', spf: { result: pass, domain: 'attacker.example.net' }, dkim: [] },
    expected: { result: 'fail', policy: 'reject', alignment: { spf: false, dkim: false }, spfAligned: false },
  },
  {
    name: 'subdomain From: policy from the org domain record is sp; relaxed DKIM aligns',
    input: { fromDomain: 'mail.example.com', spf: undefined, dkim: [{ result: pass, domain: 'example.com' }] },
    expected: {
      result: 'pass',
      organizationalDomain: 'example.com',
      policy: 'quarantine',
      policySource: 'sp',
      recordDomain: 'example.com',
      alignment: { spf: false, dkim: true },
      queried: ['_dmarc.mail.example.com', '_dmarc.example.com'],
      dkimAligned: [true],
    },
  },
  {
    name: 'aligned DKIM fails, unaligned DKIM passes → fail',
    input: {
      fromDomain: 'example.com',
      spf: { result: 'softfail', domain: 'example.com' },
      dkim: [
        { result: fail, domain: 'example.com' },
        { result: pass, domain: 'esp.example.net' },
      ],
    },
    expected: { result: 'fail', alignment: { spf: false, dkim: false }, dkimAligned: [true, false] },
  },
  {
    name: 'one of several DKIM signatures aligned and passing is enough',
    input: {
      fromDomain: 'example.com',
      spf: { result: fail, domain: 'esp.example.net' },
      dkim: [
        { result: pass, domain: 'esp.example.net' },
        { result: 'temperror', domain: 'example.com' },
        { result: pass, domain: 'Mail.Example.COM.' },
      ],
    },
    expected: { result: 'pass', alignment: { spf: false, dkim: true }, dkimAligned: [false, true, true] },
  },
  {
    name: 'strict adkim: a parent-domain d= does not align with a subdomain From',
    input: { fromDomain: 'sub.strict.test', spf: undefined, dkim: [{ result: pass, domain: 'strict.test' }] },
    expected: {
      result: 'fail',
      policy: 'reject',
      policySource: 'p',
      dkimAligned: [false],
      recordDomain: 'strict.test',
    },
  },
  {
    name: 'strict adkim: the same name aligns',
    input: { fromDomain: 'strict.test', spf: undefined, dkim: [{ result: pass, domain: 'STRICT.test' }] },
    expected: { result: 'pass', alignment: { spf: false, dkim: true } },
  },
  {
    name: 'strict aspf: a subdomain MAIL FROM does not align',
    input: { fromDomain: 'strict.test', spf: { result: pass, domain: 'bounce.strict.test' }, dkim: [] },
    expected: { result: 'fail', spfAligned: false },
  },
  {
    name: 'np: a non-existent subdomain gets np=reject',
    input: { fromDomain: 'ghost.np.test', spf: undefined, dkim: [] },
    expected: {
      result: 'fail',
      policy: 'reject',
      policySource: 'np',
      fromDomainExists: false,
      recordDomain: 'np.test',
    },
  },
  {
    name: 'np: an existing subdomain gets sp=none',
    input: { fromDomain: 'exists.np.test', spf: undefined, dkim: [] },
    expected: { result: 'fail', policy: 'none', policySource: 'sp', fromDomainExists: true },
  },
  {
    name: 'np: existence unknown (SERVFAIL) falls back to sp',
    input: { fromDomain: 'ghost2.np.test', spf: undefined, dkim: [] },
    expected: { result: 'fail', policy: 'none', policySource: 'sp', fromDomainExists: undefined },
  },
  {
    name: 'np: the org domain itself uses p',
    input: { fromDomain: 'np.test', spf: undefined, dkim: [] },
    expected: { result: 'fail', policy: 'quarantine', policySource: 'p', fromDomainExists: undefined },
  },
  {
    name: 'pct is reported with the policy',
    input: { fromDomain: 'pct.test', spf: undefined, dkim: [] },
    expected: { result: 'fail', policy: 'reject', pct: 25 },
  },
  {
    name: 'multiple DMARC records at the From domain → none',
    input: { fromDomain: 'multi.test', spf: { result: pass, domain: 'multi.test' }, dkim: [] },
    expected: {
      result: 'none',
      policy: 'none',
      errorCode: 'dmarc.multiple-records',
      alignment: { spf: true, dkim: false },
    },
  },
  {
    name: 'multiple records at a subdomain end discovery there (no fall-through to the org domain)',
    input: { fromDomain: 'sub.multi2.test', spf: undefined, dkim: [] },
    expected: { result: 'none', errorCode: 'dmarc.multiple-records', queried: ['_dmarc.sub.multi2.test'] },
  },
  {
    name: 'a subdomain with its own record uses that record and its p',
    input: { fromDomain: 'sub.withown.test', spf: undefined, dkim: [] },
    expected: {
      result: 'fail',
      policy: 'none',
      policySource: 'p',
      recordDomain: 'sub.withown.test',
      queried: ['_dmarc.sub.withown.test'],
    },
  },
  {
    name: 'DNS timeout during discovery → temperror',
    input: { fromDomain: 'timeout.test', spf: { result: pass, domain: 'timeout.test' }, dkim: [] },
    expected: { result: 'temperror', errorCode: 'dns.timeout', alignment: { spf: true, dkim: false } },
  },
  {
    name: 'SERVFAIL during discovery → temperror',
    input: { fromDomain: 'servfail.test', spf: undefined, dkim: [] },
    expected: { result: 'temperror', errorCode: 'dns.servfail' },
  },
  {
    name: 'REFUSED during discovery → temperror',
    input: { fromDomain: 'refused.test', spf: undefined, dkim: [] },
    expected: { result: 'temperror', errorCode: 'dns.refused' },
  },
  {
    name: 'timeout at the org domain after NXDOMAIN at the subdomain → temperror',
    input: { fromDomain: 'sub.orgtimeout.test', spf: undefined, dkim: [] },
    expected: {
      result: 'temperror',
      errorCode: 'dns.timeout',
      queried: ['_dmarc.sub.orgtimeout.test', '_dmarc.orgtimeout.test'],
    },
  },
  {
    name: 'record with an invalid p and no rua → permerror',
    input: { fromDomain: 'broken.test', spf: { result: pass, domain: 'broken.test' }, dkim: [] },
    expected: { result: 'permerror', policy: 'none', errorCode: 'dmarc.policy-missing', recordDomain: 'broken.test' },
  },
  {
    name: 'record with an invalid p but a valid rua → read as p=none (RFC 7489 §6.6.3)',
    input: { fromDomain: 'repaired.test', spf: undefined, dkim: [] },
    expected: { result: 'fail', policy: 'none', policySource: 'p' },
  },
  {
    name: 'record with an invalid sp and no rua → permerror',
    input: { fromDomain: 'badsp.test', spf: undefined, dkim: [] },
    expected: { result: 'permerror', errorCode: 'dmarc.policy-missing' },
  },
  {
    name: 'non-DMARC TXT records beside the DMARC record are ignored',
    input: { fromDomain: 'other.test', spf: undefined, dkim: [] },
    expected: { result: 'fail', policy: 'quarantine' },
  },
  {
    name: 'v=dmarc1 (lower case) is not a DMARC record → none',
    input: { fromDomain: 'notdmarc.test', spf: undefined, dkim: [] },
    expected: { result: 'none', errorCode: 'dmarc.none' },
  },
  {
    name: 'a record split over several TXT strings is joined',
    input: { fromDomain: 'split.test', spf: undefined, dkim: [{ result: pass, domain: 'sub.split.test' }] },
    expected: { result: 'fail', policy: 'reject', dkimAligned: [false] },
  },
  {
    name: 'multi-label public suffix: co.uk siblings do not align',
    input: {
      fromDomain: 'mail.example.co.uk',
      spf: { result: pass, domain: 'other.co.uk' },
      dkim: [{ result: pass, domain: 'co.uk' }],
    },
    expected: {
      result: 'fail',
      organizationalDomain: 'example.co.uk',
      recordDomain: 'example.co.uk',
      policy: 'reject',
      spfAligned: false,
      dkimAligned: [false],
    },
  },
  {
    name: 'multi-label public suffix: the org domain aligns relaxed',
    input: { fromDomain: 'mail.example.co.uk', spf: undefined, dkim: [{ result: pass, domain: 'example.co.uk' }] },
    expected: { result: 'pass', dkimAligned: [true] },
  },
  {
    name: 'PSL private section: alice.github.io and bob.github.io are different organizations',
    input: { fromDomain: 'alice.github.io', spf: undefined, dkim: [{ result: pass, domain: 'bob.github.io' }] },
    expected: { result: 'fail', organizationalDomain: 'alice.github.io', dkimAligned: [false] },
  },
  {
    name: 'IDN From domain (U-labels) finds the A-label record and aligns with an A-label d=',
    input: { fromDomain: 'BÜCHER.example', spf: undefined, dkim: [{ result: pass, domain: 'XN--BCHER-KVA.example' }] },
    expected: { result: 'pass', domain: 'xn--bcher-kva.example', queried: ['_dmarc.xn--bcher-kva.example'] },
  },
  {
    name: 'upper case and a trailing dot in the From domain',
    input: { fromDomain: 'Example.COM.', spf: { result: pass, domain: 'example.com' }, dkim: [] },
    expected: { result: 'pass', domain: 'example.com' },
  },
  {
    name: 'null sender: the HELO domain given as the SPF domain aligns relaxed',
    input: { fromDomain: 'example.com', spf: { result: pass, domain: 'mail.example.com' }, dkim: [] },
    expected: { result: 'pass', alignment: { spf: true, dkim: false } },
  },
  {
    name: 'no DMARC record → none, with relaxed alignment still reported',
    input: {
      fromDomain: 'none.test',
      spf: { result: pass, domain: 'bounce.none.test' },
      dkim: [{ result: fail, domain: 'none.test' }],
    },
    expected: {
      result: 'none',
      policy: 'none',
      policySource: undefined,
      errorCode: 'dmarc.none',
      alignment: { spf: true, dkim: false },
      queried: ['_dmarc.none.test'],
      recordDomain: undefined,
    },
  },
  {
    name: 'a From domain that is not a domain name → permerror without DNS',
    input: { fromDomain: 'exa mple.com', spf: undefined, dkim: [] },
    expected: { result: 'permerror', errorCode: 'headers.from-invalid', queried: [] },
  },
  {
    name: 'a public suffix as From domain: only its own name is asked',
    input: { fromDomain: 'co.uk', spf: undefined, dkim: [{ result: pass, domain: 'example.co.uk' }] },
    expected: { result: 'none', queried: ['_dmarc.co.uk'], dkimAligned: [false] },
  },
];

/** Authentication-Results (RFC 8601) and ARC-Authentication-Results (RFC 8617 §4.1.1): format, parse, round trip. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  authResEntries,
  formatArcAuthenticationResults,
  formatAuthenticationResults,
  parseArcAuthenticationResults,
  parseAuthenticationResults,
  type AuthenticationResults,
  type AuthResEntry,
  type AuthResInput,
} from '../../src/core/authres/index.js';
import { generator } from './generate.js';

function parsed(value: string): AuthenticationResults {
  const result = parseAuthenticationResults(value);
  assert.ok(
    result.ok,
    `${JSON.stringify(value)}: ${result.ok ? '' : `${result.error.message} at ${result.error.offset}`}`,
  );
  return result.value;
}

describe('formatAuthenticationResults', () => {
  test('short results fit on one line', () => {
    const input: AuthResInput = {
      spf: { result: 'pass', domain: 'example.com', identity: 'mailfrom' },
      dmarc: { result: 'pass', domain: 'example.com', policy: 'none' },
    };
    assert.equal(
      formatAuthenticationResults('mx', { spf: { result: 'pass', domain: 'a.example', identity: 'mailfrom' } }),
      'Authentication-Results: mx; spf=pass smtp.mailfrom=a.example',
    );
    assert.equal(
      formatAuthenticationResults('mx.example.org', input, { fold: false }),
      'Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=example.com; dmarc=pass header.from=example.com policy.dmarc=none',
    );
    assert.equal(
      formatAuthenticationResults('mx.example.org', input),
      'Authentication-Results: mx.example.org;\r\n\tspf=pass smtp.mailfrom=example.com;\r\n\tdmarc=pass header.from=example.com policy.dmarc=none',
    );
  });

  test('each result kind with its properties (folded)', () => {
    const text = formatAuthenticationResults('mx.example.org', {
      iprev: { result: 'pass', ip: '192.0.2.1' },
      spf: { result: 'softfail', domain: 'example.com', identity: 'mailfrom', mailFrom: 'bounce@example.com' },
      dkim: [
        { result: 'pass', domain: 'example.com', selector: 's1', identity: '@example.com', headerB: 'AbCdEfGhIjKl' },
        {
          result: 'fail',
          domain: 'example.net',
          selector: 'k',
          headerB: 'ab/c+d==',
          error: { code: 'dkim.body-hash', message: 'body hash mismatch' },
        },
      ],
      dmarc: { result: 'fail', domain: 'example.com', policy: 'reject' },
      arc: { result: 'pass', oldestPass: 0, remoteIp: '2001:db8::25' },
    });
    assert.equal(
      text,
      [
        'Authentication-Results: mx.example.org;',
        '\tiprev=pass policy.iprev=192.0.2.1;',
        '\tspf=softfail smtp.mailfrom=bounce@example.com;',
        '\tdkim=pass header.d=example.com header.s=s1 header.i=@example.com',
        '\theader.b=AbCdEfGh;',
        '\tdkim=fail reason="body hash mismatch" header.d=example.net header.s=k',
        '\theader.b="ab/c+d==";',
        '\tdmarc=fail header.from=example.com policy.dmarc=reject;',
        '\tarc=pass header.oldest-pass=0 smtp.remote-ip="2001:db8::25"',
      ].join('\r\n'),
    );
    for (const line of text.split('\r\n')) assert.ok(line.length <= 78, line);
  });

  test('null sender: smtp.helo', () => {
    const text = formatAuthenticationResults('mx', {
      spf: { result: 'pass', domain: 'mail.example.com', identity: 'helo' },
    });
    assert.equal(text, 'Authentication-Results: mx; spf=pass smtp.helo=mail.example.com');
  });

  test('dmarc none/temperror carry no policy.dmarc', () => {
    for (const result of ['none', 'temperror', 'permerror']) {
      const text = formatAuthenticationResults('mx', { dmarc: { result, domain: 'example.com', policy: 'none' } });
      assert.equal(text, `Authentication-Results: mx; dmarc=${result} header.from=example.com`);
    }
  });

  test('no results → none; version; quoting of an odd authserv-id', () => {
    assert.equal(formatAuthenticationResults('example.org', {}), 'Authentication-Results: example.org; none');
    assert.equal(
      formatAuthenticationResults('example.org', [], { version: 1 }),
      'Authentication-Results: example.org 1; none',
    );
    assert.equal(formatAuthenticationResults('odd id;', []), 'Authentication-Results: "odd id;"; none');
  });

  test('dkim checked and no signature → dkim=none (RFC 8601 §2.7.1); dkim not given → no dkim entry', () => {
    const spf = { result: 'pass', domain: 'a.example', identity: 'mailfrom' } as const;
    const dmarc = { result: 'fail', domain: 'a.example', policy: 'reject' };
    assert.equal(
      formatAuthenticationResults('mx', { spf, dkim: [], dmarc }, { fold: false }),
      'Authentication-Results: mx; spf=pass smtp.mailfrom=a.example; dkim=none; dmarc=fail header.from=a.example policy.dmarc=reject',
    );
    assert.equal(
      formatAuthenticationResults('mx', { spf, dmarc }, { fold: false }),
      'Authentication-Results: mx; spf=pass smtp.mailfrom=a.example; dmarc=fail header.from=a.example policy.dmarc=reject',
    );
    assert.deepEqual(authResEntries({ dkim: [] }), [{ method: 'dkim', result: 'none', properties: [] }]);
  });

  test('unfolded when asked', () => {
    const input: AuthResInput = {
      dkim: Array.from({ length: 5 }, (_, i) => ({ result: 'pass', domain: `d${i}.example.com`, selector: 'sel' })),
    };
    const text = formatAuthenticationResults('mx.example.org', input, { fold: false });
    assert.ok(!text.includes('\r\n'));
    assert.ok(text.length > 78);
  });

  test('entries whose keywords cannot be written are left out; control characters in values become spaces', () => {
    const entries: AuthResEntry[] = [
      { method: 'bad method', result: 'pass', properties: [] },
      {
        method: 'x-ok',
        result: 'pass',
        properties: [
          { ptype: 'header', property: 'bad prop', value: 'x' },
          { ptype: 'header', property: 'v', value: 'a\r\nb' },
        ],
      },
    ];
    assert.equal(formatAuthenticationResults('mx', entries), 'Authentication-Results: mx; x-ok=pass header.v="a  b"');
  });

  test('values that are not a token, address or domain name are quoted (found by the python cross-check)', () => {
    const entry = (value: string): AuthResEntry[] => [
      { method: 'x', result: 'pass', properties: [{ ptype: 'smtp', property: 'v', value }] },
    ];
    const written = (value: string) =>
      formatAuthenticationResults('mx', entry(value)).replace('Authentication-Results: mx; x=pass smtp.v=', '');
    assert.equal(written('@x.'), '"@x."');
    assert.equal(written('user@exa_mple.com'), '"user@exa_mple.com"');
    assert.equal(written('user@example.com'), 'user@example.com');
    assert.equal(written('@example.com'), '@example.com');
    assert.equal(written('a.b_c'), 'a.b_c');
    assert.equal(written(''), '""');
  });

  test('ARC-Authentication-Results', () => {
    const text = formatArcAuthenticationResults(
      2,
      'lists.example.org',
      { spf: { result: 'pass', domain: 'example.com', identity: 'mailfrom' } },
      { fold: false },
    );
    assert.equal(text, 'ARC-Authentication-Results: i=2; lists.example.org; spf=pass smtp.mailfrom=example.com');
    const back = parseArcAuthenticationResults(text);
    assert.ok(back.ok);
    if (back.ok) {
      assert.equal(back.value.instance, 2);
      assert.equal(back.value.authservId, 'lists.example.org');
      assert.equal(back.value.results[0]?.method, 'spf');
    }
  });
});

describe('parseAuthenticationResults: RFC 8601 Appendix B and real-world shapes', () => {
  test('B.2 no results, with version', () => {
    assert.deepEqual(parsed('example.org 1; none'), { authservId: 'example.org', version: 1, results: [] });
  });

  test('B.3 / B.4', () => {
    const r = parsed(
      ' example.com;\r\n  auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n  spf=pass smtp.mailfrom=example.net',
    );
    assert.deepEqual(r.results, [
      {
        method: 'auth',
        result: 'pass',
        properties: [{ ptype: 'smtp', property: 'auth', value: 'sender@example.net' }],
      },
      { method: 'spf', result: 'pass', properties: [{ ptype: 'smtp', property: 'mailfrom', value: 'example.net' }] },
    ]);
    assert.deepEqual(parsed('example.com; iprev=pass policy.iprev=192.0.2.200').results[0]?.properties, [
      { ptype: 'policy', property: 'iprev', value: '192.0.2.200' },
    ]);
  });

  test('B.6 reasons', () => {
    const r = parsed(`example.com;
    dkim=pass reason="good signature"
      header.i=@mail-router.example.net;
    dkim=fail reason="bad signature"
      header.i=@newyork.example.com`);
    assert.deepEqual(
      r.results.map((e) => [e.result, e.reason, e.properties[0]?.value]),
      [
        ['pass', 'good signature', '@mail-router.example.net'],
        ['fail', 'bad signature', '@newyork.example.com'],
      ],
    );
  });

  test('B.7 comments everywhere', () => {
    const r = parsed(`foo.example.net (foobar) 1 (baz);
    dkim (Because I like it) / 1 (One yay) = (wait for it) fail
      policy (A dot can go here) . (like that) expired
      (this surprised me) = (as I wasn't expecting it) 1362471462`);
    assert.deepEqual(r, {
      authservId: 'foo.example.net',
      version: 1,
      results: [
        {
          method: 'dkim',
          methodVersion: 1,
          result: 'fail',
          properties: [{ ptype: 'policy', property: 'expired', value: '1362471462' }],
        },
      ],
    });
  });

  test('the field name may be included; case is normalized for names, kept for values', () => {
    const r = parsed('Authentication-Results: MX.Example.ORG; SPF=PASS SMTP.MailFrom=User@Example.COM');
    assert.equal(r.authservId, 'MX.Example.ORG');
    assert.deepEqual(r.results[0], {
      method: 'spf',
      result: 'pass',
      properties: [{ ptype: 'smtp', property: 'mailfrom', value: 'User@Example.COM' }],
    });
  });

  test('Gmail-style unquoted header.b with / + =, and Microsoft-style bare action=', () => {
    const gmail = parsed(
      'mx.google.com; dkim=pass header.i=@example.com header.s=20230601 header.b=Ab/cD+e=; arc=pass (i=1)',
    );
    assert.equal(gmail.results[0]?.properties[2]?.value, 'Ab/cD+e=');
    const ms = parsed('mx.microsoft.com; dmarc=pass action=none header.from=example.com;compauth=pass reason=100');
    assert.deepEqual(ms.results[0]?.properties[0], { ptype: '', property: 'action', value: 'none' });
    assert.equal(ms.results[1]?.reason, '100');
  });

  test('a trailing semicolon is tolerated', () => {
    assert.equal(parsed('mx; spf=pass smtp.mailfrom=a.example;').results.length, 1);
  });

  const bad: Array<[string, string]> = [
    ['', 'authres.syntax'],
    ['   ', 'authres.syntax'],
    ['example.com', 'authres.syntax'],
    ['example.com spf=pass', 'authres.syntax'],
    ['; spf=pass', 'authres.syntax'],
    ['example.com; spf', 'authres.syntax'],
    ['example.com; spf=', 'authres.syntax'],
    ['example.com; spf=pass smtp.mailfrom', 'authres.syntax'],
    ['example.com; spf=pass smtp.=x', 'authres.syntax'],
    ['example.com; spf=pass junk', 'authres.syntax'],
    ['example.com; spf=pass smtp.mailfrom="unterminated', 'authres.syntax'],
    ['example.com; spf=pass (unterminated', 'authres.syntax'],
    ['example.com; none; spf=pass', 'authres.syntax'],
    ['example.com; spf=pass; none', 'authres.syntax'],
    ['example.com; dkim/=pass', 'authres.syntax'],
    ['"unterminated; spf=pass', 'authres.syntax'],
  ];
  for (const [value, code] of bad) {
    test(`rejects ${JSON.stringify(value)}`, () => {
      const result = parseAuthenticationResults(value);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.error.code, code);
        assert.equal(typeof result.error.message, 'string');
      }
    });
  }

  test('ARC instance rules', () => {
    for (const value of ['lists.example.org; none', 'i=0; x; none', 'i=51; x; none', 'i=1 x; none', 'i=; x; none']) {
      assert.equal(parseArcAuthenticationResults(value).ok, false, value);
    }
    const ok = parseArcAuthenticationResults('ARC-Authentication-Results: i = 50 ; x.example; none');
    assert.ok(ok.ok && ok.value.instance === 50 && ok.value.results.length === 0);
  });
});

describe('hostile input is bounded', () => {
  function runs(fn: () => void): void {
    fn();
  }

  test('a huge field is refused', () => {
    runs(() => {
      const r = parseAuthenticationResults('mx; ' + 'spf=pass smtp.mailfrom=a.example; '.repeat(100_000));
      assert.ok(!r.ok && r.error.code === 'authres.too-long');
    });
  });

  test('too many results and properties', () => {
    runs(() => {
      const r = parseAuthenticationResults('mx; ' + 'spf=pass;'.repeat(5000));
      assert.ok(!r.ok && r.error.code === 'authres.too-many-results');
      const p = parseAuthenticationResults('mx; spf=pass ' + 'a.b=c '.repeat(1000));
      assert.ok(!p.ok && p.error.code === 'authres.too-many-results');
      assert.equal(parseAuthenticationResults('mx; ' + 'spf=pass;'.repeat(256)).ok, true);
    });
  });

  test('deep comments, long values, long runs of quotes and backslashes', () => {
    runs(() => {
      assert.equal(parseAuthenticationResults('mx; spf=pass ' + '('.repeat(1000) + ')'.repeat(1000)).ok, false);
      assert.equal(parseAuthenticationResults('mx; spf=pass ' + '('.repeat(10) + ')'.repeat(10)).ok, true);
      const long = parseAuthenticationResults('mx; dkim=pass header.b=' + 'A'.repeat(60_000));
      assert.ok(long.ok && long.value.results[0]?.properties[0]?.value.length === 60_000);
      assert.equal(parseAuthenticationResults('mx; spf=pass smtp.mailfrom="' + '\\'.repeat(60_000)).ok, false);
      assert.equal(parseAuthenticationResults('-'.repeat(60_000)).ok, false);
      assert.equal(parseAuthenticationResults('mx; ' + 'a'.repeat(60_000) + '-').ok, false);
    });
  });

  test('formatting many results stays well-formed', () => {
    const input: AuthResInput = {
      dkim: Array.from({ length: 200 }, (_, i) => ({
        result: 'pass',
        domain: `d${i}.example.com`,
        selector: `s${i}`,
        headerB: 'x'.repeat(100),
      })),
    };
    const text = formatAuthenticationResults('mx.example.org', input);
    for (const line of text.split('\r\n')) assert.ok(line.length <= 78, line);
    const back = parseAuthenticationResults(text);
    assert.ok(back.ok && back.value.results.length === 200);
  });
});

describe('property: parse(format(x)) round-trips', () => {
  test('generic entries (1000 random cases)', () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const g = generator(seed);
      const authservId = g.random() < 0.8 ? g.pick(['mx.example.org', 'example.com', 'a']) : g.value() || 'x';
      const entries = Array.from({ length: g.int(7) }, () => g.entry());
      const version = g.random() < 0.2 ? 1 : undefined;
      const fold = g.random() < 0.7;
      const lineLength = 40 + g.int(60);
      const text = formatAuthenticationResults(
        authservId,
        entries,
        version === undefined ? { fold, lineLength } : { fold, lineLength, version },
      );
      const back = parseAuthenticationResults(text);
      assert.ok(back.ok, `seed ${seed}: ${text}\n${back.ok ? '' : back.error.message}`);
      const expected: AuthenticationResults = { authservId, results: entries };
      if (version !== undefined) expected.version = version;
      assert.deepEqual(back.value, expected, `seed ${seed}: ${text}`);
      if (!fold) assert.ok(!text.includes('\n'));
      for (const line of text.split('\r\n').slice(1))
        assert.ok(line.startsWith('\t'), `seed ${seed}: continuation line`);
    }
  });

  test('results built from check results (500 random cases)', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const g = generator(seed * 7919);
      const result = () => g.pick(['pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror', 'policy']);
      const domain = () => g.pick(['example.com', 'mail.example.co.uk', 'xn--bcher-kva.example', 'a-b.example']);
      const input: AuthResInput = {
        ...(g.random() < 0.5 ? { iprev: { result: result(), ip: g.pick(['192.0.2.1', '2001:db8::1']) } } : {}),
        ...(g.random() < 0.8
          ? {
              spf:
                g.random() < 0.5
                  ? { result: result(), domain: domain(), identity: 'helo' as const }
                  : {
                      result: result(),
                      domain: domain(),
                      identity: 'mailfrom' as const,
                      mailFrom: g.pick(['u@example.com', '"a b"@example.com', 'x+y=z@example.com']),
                    },
            }
          : {}),
        dkim: Array.from({ length: g.int(4) }, () => ({
          result: result(),
          domain: domain(),
          selector: g.keyword(),
          headerB: g.pick(['AbCdEfGh', 'a/b+c=dE', '++//==++xx']),
          ...(g.random() < 0.3 ? { error: { code: 'dkim.signature', message: g.value() } } : {}),
        })),
        ...(g.random() < 0.8
          ? { dmarc: { result: result(), domain: domain(), policy: g.pick(['none', 'quarantine', 'reject']) } }
          : {}),
        ...(g.random() < 0.3 ? { arc: { result: g.pick(['pass', 'fail', 'none']), oldestPass: g.int(3) } } : {}),
      };
      const text = formatAuthenticationResults('mx.example.org', input);
      const back = parseAuthenticationResults(text);
      assert.ok(back.ok, `seed ${seed}: ${text}`);
      assert.deepEqual(back.value.results, authResEntries(input), `seed ${seed}: ${text}`);
      for (const line of text.split('\r\n'))
        assert.ok(line.length <= 78 || !line.includes(' '), `seed ${seed}: ${line}`);
    }
  });
});

/** The msg-id of Message-ID, RFC 5322 §3.6.4 and the obsolete forms of §4.5.4. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMessageId } from '../../src/core/headers/index.js';
import { parseCommonMessageId } from '../../src/core/headers/message-id.js';
import { seededRandom } from '../support/random.js';

describe('valid msg-ids', () => {
  // value, id, obsolete syntax used
  const cases: Array<[string, string, boolean]> = [
    ['<1234@local.machine.example>', '1234@local.machine.example', false],
    ['  <abc.def@example.com>  ', 'abc.def@example.com', false],
    ['<testabcd.1234@silly.example>', 'testabcd.1234@silly.example', false],
    ["<a!#$%&'*+-/=?^_`{|}~@x>", "a!#$%&'*+-/=?^_`{|}~@x", false],
    ['<abc@[192.0.2.1]>', 'abc@[192.0.2.1]', false],
    ['<abc@example.com> (added by the MTA)', 'abc@example.com', false],
    ['(comment) <abc@example.com>', 'abc@example.com', false],
    ['\r\n <abc@example.com>', 'abc@example.com', false],
    ['<ünïcode@exämple.com>', 'ünïcode@exämple.com', false],
    ['<"quoted id"@example.com>', '"quoted id"@example.com', true],
    ['<a (c) @ b>', 'a@b', true],
    ['<a . b@c . d>', 'a.b@c.d', true],
    ['<a@[192.0.2.1 ]>', 'a@[192.0.2.1]', true],
  ];
  for (const [value, id, obsolete] of cases) {
    test(JSON.stringify(value), () => {
      const parsed = parseMessageId(value);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.message);
      assert.equal(parsed.value.id, id);
      assert.equal(parsed.value.obsolete, obsolete);
      assert.equal(`${parsed.value.left}@${parsed.value.right}`, id);
    });
  }
});

describe('invalid msg-ids', () => {
  const cases = [
    '',
    '   ',
    'abc@example.com',
    '<abc>',
    '<abc@>',
    '<@example.com>',
    '<>',
    '<a..b@c>',
    '<.a@b>',
    '<a.@b>',
    '<a@b.>',
    '<a b@c>',
    '<a@b c>',
    '<a@b> <c@d>',
    '<a@b>, <c@d>',
    '<a@b',
    'a@b>',
    '<a@b>>',
    '<<a@b>',
    '<a@[b>',
    '<a@[b[c]>',
    '<a@@b>',
    '<a@b> (unterminated',
    '<"unterminated@b>',
    '<a@b>\u0000',
    `<${'('.repeat(100)}a@b>`,
  ];
  for (const value of cases) {
    test(JSON.stringify(value), () => {
      const parsed = parseMessageId(value);
      assert.equal(parsed.ok, false, 'should not parse');
      if (!parsed.ok) assert.equal(parsed.error.code, 'headers.message-id-invalid');
    });
  }

  test('more than one msg-id is named as such', () => {
    const parsed = parseMessageId('<a@b> <c@d>');
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.match(parsed.error.message, /more than one/);
  });

  test('a value over the cap is refused without parsing', () => {
    const parsed = parseMessageId(`<${'a'.repeat(5000)}@example.com>`);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.match(parsed.error.message, /longer than/);
  });
});

describe('the common msg-id form is read the same as the general syntax', () => {
  // parseMessageId reads `<left@right>` (dot-atoms, nothing around them) on a short path; a space before the `<` is
  // valid CFWS (not obsolete) and sends the value down the general parser. Both must agree.
  const random = seededRandom(5324);
  const atext = ['a', 'Z', '0', '9', '!', '#', "'", '*', '+', '-', '/', '=', '?', '^', '_', '`', '{', '|', '~', 'é'];
  const odd = [' ', '(c)', '"q"', '..', '.', '@', '<', '>', '[', ']', '\\', ','];
  const word = () => {
    let w = '';
    const n = Math.floor(random() * 4);
    for (let i = 0; i < n; i++) w += atext[Math.floor(random() * atext.length)];
    return w;
  };
  const dotted = () => {
    const parts = [word()];
    while (random() < 0.4) parts.push(word());
    return parts.join('.');
  };
  test('3,000 random values, valid and not', () => {
    let short = 0;
    for (let n = 0; n < 3000; n++) {
      let value = `<${dotted()}@${dotted()}>`;
      if (random() < 0.3) {
        const at = Math.floor(random() * (value.length + 1));
        value = value.slice(0, at) + odd[Math.floor(random() * odd.length)] + value.slice(at);
      }
      const fast = parseCommonMessageId(value);
      const general = parseMessageId(` ${value}`);
      if (fast !== undefined) {
        short++;
        assert.ok(general.ok, value);
        assert.deepEqual(fast, general.value, value);
      } else if (general.ok && !general.value.obsolete && /^<[^[]*>$/.test(value)) {
        assert.fail(`the short path refused a plain msg-id: ${value}`);
      }
    }
    assert.ok(short > 300, `only ${short} values took the short path`);
  });
});

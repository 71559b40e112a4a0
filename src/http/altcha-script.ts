/**
 * A small ALTCHA solver for forms posting to the relay, served at `GET /f/altcha.js`, for sites that do not host
 * the `altcha` widget. It finds every `form[data-altcha-challenge]`, fetches a challenge from that URL when the form
 * is first touched, solves it with WebCrypto (SHA-256, the relay's challenge algorithm) and puts the payload in a
 * hidden `altcha` field; the submit button waits until it is ready. The payload has the widget's format (base64 of
 * `{ challenge, solution }`), so the relay checks both alike.
 */
export const ALTCHA_SOLVER_SCRIPT = `(() => {
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const unhex = (text) => new Uint8Array(text.match(/../g).map((h) => parseInt(h, 16)));
  async function solve(challenge) {
    const p = challenge.parameters;
    if (p.algorithm !== 'SHA-256') throw new Error('unsupported algorithm ' + p.algorithm);
    const salt = unhex(p.salt), nonce = unhex(p.nonce), length = p.keyLength || 32;
    const data = new Uint8Array(salt.length + nonce.length + 4);
    data.set(salt); data.set(nonce, salt.length);
    const view = new DataView(data.buffer);
    const prefix = p.keyPrefix.toLowerCase();
    for (let counter = 0; counter < 4294967296; counter++) {
      view.setUint32(salt.length + nonce.length, counter);
      let key = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
      for (let i = 1; i < Math.max(1, p.cost); i++) key = new Uint8Array(await crypto.subtle.digest('SHA-256', key));
      const derived = hex(key.subarray(0, length));
      if (derived.startsWith(prefix)) return { counter, derivedKey: derived };
    }
    throw new Error('no solution');
  }
  async function prepare(form) {
    if (form.dataset.altchaState) return form.altchaReady;
    form.dataset.altchaState = 'solving';
    form.altchaReady = (async () => {
      const res = await fetch(form.dataset.altchaChallenge, { credentials: 'omit' });
      const challenge = await res.json();
      const solution = await solve(challenge);
      let field = form.querySelector('input[name="altcha"]');
      if (!field) { field = document.createElement('input'); field.type = 'hidden'; field.name = 'altcha'; form.append(field); }
      field.value = btoa(JSON.stringify({ challenge, solution }));
      form.dataset.altchaState = 'ready';
    })();
    return form.altchaReady;
  }
  for (const form of document.querySelectorAll('form[data-altcha-challenge]')) {
    form.addEventListener('focusin', () => { prepare(form).catch(() => { form.dataset.altchaState = 'error'; }); }, { once: true });
    form.addEventListener('submit', (event) => {
      if (form.dataset.altchaState === 'ready') return;
      event.preventDefault();
      prepare(form).then(() => form.submit(), () => { form.dataset.altchaState = 'error'; });
    });
  }
})();
`;

// A visitor fills in a contact form in Chromium: the page is a customer's site on loopback, the form posts to the
// relay of a `serve` instance and uses the solver script it serves (`/f/altcha.js`) for the ALTCHA challenge. The
// browser lands on the thank-you page, and the MX host (127.0.1.45:25) receives the message DKIM-signed (dkimpy)
// and trusted by evaluate() with the relay's envelope.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { evaluate } from '../../src/core/index.js';
import { startService, type Service } from '../../src/server/service.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { RELAY_IP, dkimpyVerify, serveConfig, startRelayWorld, waitFor, type RelayWorld } from './support/fixture.js';
import { startMxHost, type MxHost } from './support/mx-hosts.js';

let world: RelayWorld;
let desk: MxHost;
let store: Store;
let service: Service;
let site: Server;
let siteOrigin: string;
let browser: Browser | undefined;

function page(relay: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Contact</title></head><body>
<main><h1>Contact us</h1>
<form method="post" action="${relay}/f/contact" data-altcha-challenge="${relay}/f/contact/challenge">
  <label>Name <input name="name" required></label>
  <label>Email <input name="email" type="email" required></label>
  <label>Subject <input name="subject"></label>
  <label>Message <textarea name="message" required></textarea></label>
  <input name="_gotcha" tabindex="-1" autocomplete="off" style="position:absolute;left:-9999px" aria-hidden="true">
  <button type="submit">Send</button>
</form></main>
<script src="${relay}/f/altcha.js"></script></body></html>`;
}

before(async () => {
  world = await startRelayWorld({
    'helpdesk.example.net': { MX: [[10, 'mx.helpdesk.example.net']] },
    'mx.helpdesk.example.net': { A: ['127.0.1.45'] },
  });
  desk = await startMxHost('127.0.1.45', { kind: 'accept' });
  let relayBase = '';
  site = createServer((req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(req.url === '/thanks' ? '<!doctype html><title>Thanks</title><p>Thank you!</p>' : page(relayBase));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const config = serveConfig(
    world,
    {
      forms: [
        {
          id: 'contact',
          to: ['support@helpdesk.example.net'],
          subject: 'Contact: {subject}',
          fields: ['name', 'email', 'subject', 'message'],
          replyToField: 'email',
          captcha: 'altcha',
          honeypot: '_gotcha',
          minFillSeconds: 1,
          allowedOrigins: [siteOrigin],
          redirect: `${siteOrigin}/thanks`,
        },
      ],
    },
    { database: `sqlite:${join(world.dir, 'browser.db')}`, http: { listen: '127.0.0.1:0' } },
  );
  store = await openStore(config.database);
  service = await startService(config, { store });
  relayBase = `http://${service.face('http')?.address}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'], timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await service?.close(1_000);
  await store?.close();
  await new Promise<void>((resolve) => site?.close(() => resolve()));
  await desk?.close();
  await world?.close();
});

test('a visitor fills in the form in Chromium; the help desk receives it signed and trusted', async () => {
  const tab = await (browser as Browser).newPage();
  await tab.goto(siteOrigin);
  await tab.fill('input[name=name]', 'Zoë Visitor');
  await tab.fill('input[name=email]', 'zoe@visitor.example.org');
  await tab.fill('input[name=subject]', 'Question about my order');
  await tab.fill('textarea[name=message]', 'Hello,\nwhere is my order?\nThanks');
  await tab.waitForTimeout(1_200); // minFillSeconds = 1
  await Promise.all([tab.waitForURL(`${siteOrigin}/thanks`, { timeout: 30_000 }), tab.click('button[type=submit]')]);
  assert.equal(await tab.textContent('p'), 'Thank you!');

  const message = await waitFor('the delivered message', () => desk.received[0], 20_000);
  const text = message.raw.toString('latin1');
  assert.match(text, /\r\nFrom: =\?UTF-8\?B\?/);
  assert.match(text, /\r\nReply-To: zoe@visitor\.example\.org\r\n/);
  assert.match(text, /\r\nSubject: Contact: Question about my order\r\n/);
  assert.match(text, /where is my order\?/);
  assert.equal(dkimpyVerify(message.raw, world.keyRecord), true);
  const evaluation = await evaluate(
    message.raw,
    { ip: RELAY_IP, helo: message.helo, mailFrom: message.mailFrom, rcptTo: message.rcptTo },
    { resolver: world.resolver },
  );
  assert.equal(evaluation.verdict, 'trusted', JSON.stringify(evaluation.reasons));
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator } from '../../demo/server/main.ts';
import { newSessionToken } from '../../demo/server/simulator.ts';
import { launch, openPage } from './support/browser.mjs';
import { documentedJson, fieldPaths, repo } from './support/docs.mjs';
import { until } from './support/shop.mjs';

const EXAMPLE = 'docs/examples/initiate-endpoint.mjs';
const BACKEND_DOC = 'docs/backend.md';

/** Fields the docs show for `name` that `actual` lacks: the docs may show less than Klarna sends, never more. */
const missingFields = (name, actual) => {
  const has = new Set(fieldPaths(actual));
  return fieldPaths(documentedJson(BACKEND_DOC, name)).filter((path) => !has.has(path));
};

/** Reads a request's body. */
async function bodyOf(request) {
  let raw = '';
  for await (const chunk of request) raw += chunk;
  return raw;
}

/** Starts an http server on 127.0.0.1 and a free port. */
async function serve(handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * docs/backend.md's complete Node backend, run as the docs tell a merchant to run it (its own process,
 * configured by environment), against the offline Klarna simulator in place of Klarna's API, and
 * pressed by the element with the testing kit's fake in Chromium.
 */
describe(`${EXAMPLE}, the backend the docs give, against the Klarna simulator`, () => {
  let sim, child, example, relay, pages, browser;
  const output = [];
  const webhooks = []; // what the simulator sent, as it sent it
  const answers = []; // what the example answered the element
  const authorizeCalls = () => sim.simulator.log.filter((call) => call.path === '/v2/payment/authorize');
  const post = (path, body, headers = {}) =>
    fetch(`${example}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  before(async () => {
    sim = await startSimulator({ retryDelaysMs: [200, 400] });
    child = spawn(process.execPath, [join(repo, EXAMPLE)], {
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        KLARNA_API_BASE: sim.url,
        KLARNA_API_KEY: sim.apiKey,
        KLARNA_WEBHOOK_SIGNING_KEYS: `${sim.signingKeyId}:${sim.secret}`,
        PUBLIC_URL: 'https://shop.example',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8').on('data', (text) => output.push(...text.split('\n').filter(Boolean)));
    child.stderr.setEncoding('utf8').on('data', (text) => output.push(...text.split('\n').filter(Boolean)));
    example = (
      await until(() => output.join('\n').match(/listening on (http:\/\/127\.0\.0\.1:\d+)/), 'the example to listen')
    )[1];
    // between the simulator and the example: keeps each webhook as Klarna's stand-in sent it
    relay = await serve(async (request, response) => {
      const raw = await bodyOf(request);
      webhooks.push(JSON.parse(raw));
      const headers = {
        'content-type': 'application/json',
        'klarna-signature': request.headers['klarna-signature'],
        'klarna-signing-key-id': request.headers['klarna-signing-key-id'],
      };
      const forwarded = await post('/api/klarna/webhooks', raw, headers);
      response.writeHead(forwarded.status).end(await forwarded.text());
    });
    sim.webhookUrl = `${relay.url}/webhooks`;
    // the merchant's page: the bundle, and /api/klarna/initiate passed on to the example (same origin, as in a shop)
    pages = await serve(async (request, response) => {
      if (request.url === '/api/klarna/initiate') {
        const forwarded = await post('/api/klarna/initiate', await bodyOf(request), {
          'idempotency-key': request.headers['idempotency-key'],
        });
        const text = await forwarded.text();
        answers.push({ status: forwarded.status, body: JSON.parse(text) });
        return response.writeHead(forwarded.status, { 'content-type': 'application/json' }).end(text);
      }
      if (request.url === '/assets/pay-with-klarna.js') {
        return response
          .writeHead(200, { 'content-type': 'text/javascript' })
          .end(await readFile(join(repo, 'dist/pay-with-klarna.js')));
      }
      if (request.url === '/assets/checkout.js') {
        // as docs/backend.md says: the page passes the cart id with initiateData
        const script = `const klarna = document.querySelector('pay-with-klarna');
          klarna.initiateData = { cartId: 'cart-1' };
          klarna.addEventListener('klarna-complete', () => document.body.append('Journey completed'));`;
        return response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      }
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(`<!doctype html><html lang="en-US"><head><title>Checkout</title>
        <script type="module" src="/assets/pay-with-klarna.js"></script><script type="module" src="/assets/checkout.js"></script></head>
        <body><form><pay-with-klarna name="payment" client-id="klarna_test_client_docs" amount="11800" currency="USD" initiate-url="/api/klarna/initiate"></pay-with-klarna></form></body></html>`);
    });
    browser = await launch();
  });
  after(async () => {
    child?.kill();
    await Promise.all([browser?.close(), relay?.close(), pages?.close()]);
    await sim?.stop();
  });

  it("answers a decline 402 with a message, and asks Klarna for the server's amount, not the page's", async () => {
    const token = newSessionToken('decline');
    const key = crypto.randomUUID();
    const response = await post(
      '/api/klarna/initiate',
      { klarnaNetworkSessionToken: token, paymentOptionId: 'option-1', amount: 1, currency: 'USD', cartId: 'cart-1' },
      { 'idempotency-key': key },
    );
    assert.equal(response.status, 402);
    assert.match((await response.json()).message, /declined/);
    const [call] = authorizeCalls();
    assert.equal(call.headers['klarna-network-session-token'], token);
    assert.equal(call.headers['klarna-idempotency-key'], key);
    assert.equal(call.body.request_payment_transaction.amount, 11800);
    assert.equal(call.body.request_payment_transaction.payment_option_id, 'option-1');
    assert.deepEqual(
      missingFields('klarna:authorize-request', call.body),
      [],
      'fields docs/backend.md shows in the request that the example does not send',
    );
  });

  it('a call to Klarna that fails gives the cart back: 502, then the next press reaches Klarna (not 409), and the server logs why', async () => {
    const failing = await sim.control('fail', { count: 1, mode: 'garbled', match: '/v2/payment/authorize' });
    assert.equal(failing.status, 200, await failing.text());
    const before = authorizeCalls().length;
    const first = await post(
      '/api/klarna/initiate',
      { klarnaNetworkSessionToken: newSessionToken('decline'), cartId: 'cart-1' },
      { 'idempotency-key': crypto.randomUUID() },
    );
    assert.equal(first.status, 502);
    await until(
      () => output.some((line) => line.includes('cart cart-1: Klarna')),
      'the example to log the failed call',
    );
    const next = await post(
      '/api/klarna/initiate',
      { klarnaNetworkSessionToken: newSessionToken('decline'), cartId: 'cart-1' },
      { 'idempotency-key': crypto.randomUUID() },
    );
    assert.equal(next.status, 402, 'the cart was left claimed by the failed attempt');
    assert.equal(authorizeCalls().length, before + 2);
  });

  it('refuses a request without Idempotency-Key, and an unknown cart, without calling Klarna', async () => {
    const before = authorizeCalls().length;
    assert.equal(
      (await post('/api/klarna/initiate', { klarnaNetworkSessionToken: newSessionToken(), cartId: 'cart-1' })).status,
      400,
    );
    assert.equal(
      (
        await post(
          '/api/klarna/initiate',
          { klarnaNetworkSessionToken: newSessionToken(), cartId: 'cart-2' },
          { 'idempotency-key': crypto.randomUUID() },
        )
      ).status,
      409,
    );
    assert.equal(authorizeCalls().length, before);
  });

  it('refuses a webhook whose signature does not match (wrong secret, unknown key, none, cut short, not lowercase hex) and authorizes nothing', async () => {
    const before = authorizeCalls().length;
    const body = JSON.stringify({
      metadata: {
        event_type: 'payment.request.state-change.completed',
        event_id: crypto.randomUUID(),
        event_version: 'v2',
        live: false,
      },
      payload: {
        payment_request_reference: 'cart-1',
        state: 'COMPLETED',
        klarna_network_session_token: newSessionToken('approve'),
      },
    });
    const forged = createHmac('sha256', 'not the secret').update(body).digest('hex');
    const honest = createHmac('sha256', sim.secret).update(body).digest('hex');
    for (const headers of [
      { 'klarna-signature': forged, 'klarna-signing-key-id': sim.signingKeyId },
      { 'klarna-signature': honest, 'klarna-signing-key-id': 'another-key' },
      { 'klarna-signing-key-id': sim.signingKeyId },
      { 'klarna-signature': honest.slice(0, -2), 'klarna-signing-key-id': sim.signingKeyId },
      { 'klarna-signature': honest.toUpperCase(), 'klarna-signing-key-id': sim.signingKeyId },
    ]) {
      assert.equal((await post('/api/klarna/webhooks', body, headers)).status, 400, JSON.stringify(headers));
    }
    assert.equal(authorizeCalls().length, before);
  });

  it("answers each of Klarna's results as docs/backend.md shows them", async () => {
    // the documented request, sent to the simulator with a token for each outcome
    const request = documentedJson(BACKEND_DOC, 'klarna:authorize-request');
    const ask = async (outcome) => {
      const response = await fetch(`${sim.url}/v2/payment/authorize`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${sim.apiKey}`,
          'content-type': 'application/json',
          'klarna-network-session-token': newSessionToken(outcome),
        },
        body: JSON.stringify(request),
      });
      assert.equal(response.status, 200);
      return response.json();
    };
    assert.deepEqual(missingFields('klarna:approved', await ask('approve')), []);
    assert.deepEqual(missingFields('klarna:step-up', await ask('step-up')), []);
    assert.deepEqual(missingFields('klarna:declined', await ask('decline')), []);
  });

  it('in Chromium, the element pays through it: step-up, the journey, the signed webhook, one final authorization', async () => {
    const { page, context, errors } = await openPage(browser);
    // the fake hands out a session token that makes the simulator ask for a step-up
    await page.addInitScript(() => {
      globalThis[Symbol.for('pay-with-klarna.fake-options')] = {
        journey: 'complete',
        sessionToken: () => `krn:network:us1:test:session-token:sim.step-up.prompt.${crypto.randomUUID()}`,
      };
    });
    await page.goto(pages.url);
    await page.getByRole('radio', { name: 'Pay with Klarna' }).click();
    await page.getByRole('button', { name: 'Pay with Klarna' }).click();
    await page.getByText('Journey completed').waitFor();
    const [answer] = answers;
    assert.equal(answer.status, 200);
    assert.ok(answer.body.paymentRequestUrl.startsWith(`${sim.url}/journey/`), JSON.stringify(answer.body));
    assert.equal(
      output.filter((line) => line.includes('paid')).length,
      0,
      'nothing is paid before the final authorization',
    );

    // the customer approves in Klarna's journey; Klarna sends the signed webhook
    const paymentRequestId = decodeURIComponent(answer.body.paymentRequestUrl.split('/journey/')[1]);
    sim.simulator.decide(paymentRequestId, 'approve');
    const paid = await until(
      () => output.find((line) => line.startsWith('cart cart-1: paid, krn:payment:')),
      'the example to record the payment',
    );
    const finals = authorizeCalls().filter((call) => call.headers['klarna-network-session-token'].includes(':fin.'));
    assert.equal(finals.length, 1, 'one final authorization');
    assert.equal(finals[0].body.request_payment_transaction.amount, 11800);
    assert.equal(finals[0].body.step_up_config, undefined);
    assert.ok(paid);
    assert.deepEqual(
      missingFields('klarna:webhook', webhooks.at(-1)),
      [],
      'fields docs/backend.md shows in the webhook that the simulator does not send',
    );

    // the same event again (Klarna may repeat it) authorizes nothing more, and the paid cart takes no new press
    const completed = webhooks.find((event) => event.metadata.event_type === 'payment.request.state-change.completed');
    const raw = JSON.stringify(completed);
    const signature = createHmac('sha256', sim.secret).update(raw).digest('hex');
    assert.equal(
      (
        await post('/api/klarna/webhooks', raw, {
          'klarna-signature': signature,
          'klarna-signing-key-id': sim.signingKeyId,
        })
      ).status,
      200,
    );
    const again = await post(
      '/api/klarna/initiate',
      { klarnaNetworkSessionToken: newSessionToken('approve'), cartId: 'cart-1' },
      { 'idempotency-key': crypto.randomUUID() },
    );
    assert.equal(again.status, 409);
    assert.equal(
      authorizeCalls().filter((call) => call.headers['klarna-network-session-token'].includes(':fin.')).length,
      1,
    );
    assert.deepEqual(errors, []);
    await context.close();
  });
});

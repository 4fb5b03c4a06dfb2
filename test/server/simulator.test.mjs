import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator } from '../../demo/server/main.ts';

/** The simulator stands in for Klarna in every offline test: it must hold Klarna's own rules. */
describe('the Klarna simulator', () => {
  let sim;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim?.stop());

  const authorize = (body, headers = {}) =>
    fetch(`${sim.url}/v2/accounts/krn:partner:global:account:test:X/payment/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${sim.apiKey}`, ...headers },
      body: JSON.stringify(body),
    });
  const valid = {
    currency: 'USD',
    request_payment_transaction: { amount: 1000, payment_transaction_reference: 'tx-1' },
  };

  it("refuses a missing or wrong API key with 401 in Klarna's error format", async () => {
    const response = await authorize(valid, { authorization: 'Basic wrong' });
    assert.equal(response.status, 401);
    const body = await response.json();
    assert.equal(body.error_type, 'ACCESS_ERROR');
    assert.equal(body.error_code, 'UNAUTHORIZED');
    assert.ok(body.error_id);
  });

  it("validates the body and names the parameter in Klarna's error format", async () => {
    const response = await authorize({ currency: 'dollars', request_payment_transaction: { amount: 1.5 } });
    assert.equal(response.status, 400);
    const body = await response.json();
    assert.equal(body.error_code, 'VALIDATION_ERROR');
    assert.deepEqual(body.errors.map((error) => error.parameter).sort(), [
      'currency',
      'request_payment_transaction.amount',
    ]);
  });

  it('replays a Klarna-Idempotency-Key, and refuses it for another request', async () => {
    const key = crypto.randomUUID();
    const headers = {
      'klarna-idempotency-key': key,
      'klarna-network-session-token': 'krn:network:us1:test:session-token:sim.step-up.prompt.a',
    };
    const first = await (await authorize(valid, headers)).json();
    const again = await (await authorize(valid, headers)).json();
    assert.deepEqual(again, first);
    assert.equal((await authorize({ ...valid, currency: 'EUR' }, headers)).status, 409);
  });

  it('a completion token authorizes once, for the approved amount, within 60 minutes', async () => {
    const stepUp = await (
      await authorize(valid, {
        'klarna-network-session-token': 'krn:network:us1:test:session-token:sim.step-up.lost.b',
      })
    ).json();
    assert.equal(stepUp.payment_transaction_response.result, 'STEP_UP_REQUIRED');
    const request = sim.simulator.decide(stepUp.payment_request.payment_request_id, 'approve');
    const read = await (
      await fetch(`${sim.url}/v2/payment/requests/${encodeURIComponent(request.id)}`, {
        headers: { authorization: `Basic ${sim.apiKey}` },
      })
    ).json();
    assert.equal(read.state, 'COMPLETED');
    const token = read.state_context.klarna_network_session_token;
    assert.match(token, /^krn:network:us1:test:session-token:fin\./);
    const wrongAmount = await (
      await authorize(
        { ...valid, request_payment_transaction: { amount: 999 } },
        { 'klarna-network-session-token': token },
      )
    ).json();
    assert.equal(wrongAmount.payment_transaction_response.result, 'DECLINED');
    const final = await (await authorize(valid, { 'klarna-network-session-token': token })).json();
    const repeat = await (await authorize(valid, { 'klarna-network-session-token': token })).json();
    assert.equal(final.payment_transaction_response.result, 'APPROVED');
    assert.deepEqual(repeat, final, 'the token is its own idempotency key');

    const other = await (
      await authorize(valid, {
        'klarna-network-session-token': 'krn:network:us1:test:session-token:sim.step-up.lost.c',
      })
    ).json();
    const late = sim.simulator.decide(other.payment_request.payment_request_id, 'approve');
    await sim.control('clock', { advanceMinutes: 61 });
    const expired = await (await authorize(valid, { 'klarna-network-session-token': late.sessionToken })).json();
    await sim.control('clock', { advanceMinutes: -61 });
    assert.deepEqual(expired.payment_transaction_response, {
      result: 'DECLINED',
      result_reason: 'SESSION_TOKEN_EXPIRED',
    });
  });

  it('declines a charge on request (kept under its key), and a revoked customer token for good', async () => {
    const approved = await (
      await authorize(
        {
          ...valid,
          request_customer_token: {
            scopes: ['payment:customer_not_present'],
            customer_token_reference: 'PWK-SIMREVOKE',
          },
        },
        { 'klarna-network-session-token': 'krn:network:us1:test:session-token:sim.approve.prompt.e' },
      )
    ).json();
    const customerToken = approved.customer_token_response.customer_token.customer_token;
    const charge = (key) =>
      authorize(
        {
          ...valid,
          request_payment_transaction: { amount: 1000, payment_transaction_reference: 'PWK-SIMREVOKE-period-2-1' },
        },
        { 'klarna-customer-token': customerToken, 'klarna-idempotency-key': key },
      );
    const fail = (body) => sim.control('fail', body);
    assert.equal((await fail({ mode: 'decline', reason: 'not a reason' })).status, 400);
    assert.equal(
      (await fail({ mode: '503', reason: 'PAYMENT_DECLINED' })).status,
      400,
      'a reason is for declines only',
    );
    assert.equal((await fail({ count: 1, mode: 'decline', match: 'PWK-SIMREVOKE' })).status, 200);
    const key = crypto.randomUUID();
    assert.deepEqual((await (await charge(key)).json()).payment_transaction_response, {
      result: 'DECLINED',
      result_reason: 'PAYMENT_DECLINED',
    });
    assert.deepEqual(
      (await (await charge(key)).json()).payment_transaction_response,
      { result: 'DECLINED', result_reason: 'PAYMENT_DECLINED' },
      'the same key, the same answer',
    );
    assert.equal(
      (await (await charge(crypto.randomUUID())).json()).payment_transaction_response.result,
      'APPROVED',
      'used up',
    );
    await fail({ count: 1, mode: 'decline', match: 'PWK-SIMREVOKE', reason: 'CUSTOMER_TOKEN_INVALID' });
    assert.equal(
      (await (await charge(crypto.randomUUID())).json()).payment_transaction_response.result_reason,
      'CUSTOMER_TOKEN_INVALID',
    );
    const revoke = await (await sim.control('revoke', { reference: 'PWK-SIMREVOKE' })).json();
    assert.deepEqual(revoke, { revoked: 1 });
    for (let press = 0; press < 2; press++) {
      assert.deepEqual((await (await charge(crypto.randomUUID())).json()).payment_transaction_response, {
        result: 'DECLINED',
        result_reason: 'CUSTOMER_TOKEN_INVALID',
      });
    }
  });

  it('takes commands only with its control key, which only the process that started it has; its log shows tokens and return URLs redacted', async () => {
    const token = 'krn:network:us1:test:session-token:sim.step-up.lost.0f0e0d0c-secret-part-1234';
    const returnUrl =
      'https://shop.example/orders/order-6b1f3c52-aaaa-4bbb-8ccc-123456789abc/return?payment_request_id={klarna.payment_request.id}';
    const stepUp = await (
      await authorize(
        { ...valid, step_up_config: { customer_interaction_config: { method: 'SDK', return_url: returnUrl } } },
        { 'klarna-network-session-token': token },
      )
    ).json();
    const attempts = [
      fetch(`${sim.url}/_sim/fail`, { method: 'POST', body: JSON.stringify({ count: 5, mode: '400' }) }),
      fetch(`${sim.url}/_sim/fail`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ count: 5, mode: '400' }),
      }),
      fetch(`${sim.url}/_sim/fail`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sim.controlKey.slice(0, -1)}x` },
        body: JSON.stringify({ count: 5, mode: '400' }),
      }),
      fetch(`${sim.url}/_sim/clock`, { method: 'POST', body: JSON.stringify({ advanceMinutes: 600 }) }),
      fetch(`${sim.url}/_sim/revoke`, { method: 'POST', body: JSON.stringify({ reference: 'PWK-ANY' }) }),
      fetch(`${sim.url}/_sim/log`),
    ];
    for (const response of await Promise.all(attempts)) {
      assert.equal(response.status, 401);
      assert.equal(
        (await response.json()).error,
        "The simulator's controls take its control key (Authorization: Bearer …), which only the process that started it has.",
      );
    }
    assert.equal((await authorize(valid)).status, 200, 'no failure was set');
    const served = await (await sim.control('log')).text();
    assert.ok(
      !served.includes('secret-part') && !served.includes('order-6b1f3c52'),
      'neither the token nor the order id is served',
    );
    const call = JSON.parse(served).calls.find((entry) => entry.body?.step_up_config);
    assert.equal(call.headers['klarna-network-session-token'], 'krn:network:us1:test:ses…1234');
    assert.equal(call.body.step_up_config.customer_interaction_config.return_url, 'https://shop.example/…');
    assert.ok(stepUp.payment_request.payment_request_id);
  });

  it('refuses a completion token, even one whose approval it keeps, for another amount, currency or purchase', async () => {
    const purchase = { purchase_reference: 'PWK-SIMBIND' };
    const stepUp = await (
      await authorize(
        {
          ...valid,
          supplementary_purchase_data: purchase,
          step_up_config: { payment_request_reference: 'PWK-SIMBIND' },
        },
        { 'klarna-network-session-token': 'krn:network:us1:test:session-token:sim.step-up.lost.b' },
      )
    ).json();
    const request = sim.simulator.decide(stepUp.payment_request.payment_request_id, 'approve');
    const final = (body) =>
      authorize(body, {
        'klarna-network-session-token': request.sessionToken,
        'klarna-idempotency-key': crypto.randomUUID(),
      });
    const approved = await (await final({ ...valid, supplementary_purchase_data: purchase })).json();
    assert.equal(approved.payment_transaction_response.result, 'APPROVED');
    const again = await (await final({ ...valid, supplementary_purchase_data: purchase })).json();
    assert.deepEqual(again, approved, 'the same purchase gets the kept approval');
    const others = [
      {
        ...valid,
        supplementary_purchase_data: purchase,
        request_payment_transaction: { amount: 1168200, payment_transaction_reference: 'tx-1' },
      },
      { ...valid, supplementary_purchase_data: purchase, currency: 'EUR' },
      { ...valid, supplementary_purchase_data: { purchase_reference: 'PWK-SIMOTHER' } },
    ];
    for (const body of others) {
      assert.deepEqual((await (await final(body)).json()).payment_transaction_response, {
        result: 'DECLINED',
        result_reason: 'PURCHASE_CONTEXT_MISMATCH',
      });
    }
  });

  it('checks the API key before reading a body, bounds bodies (413) and keeps only the last 1,000 calls', async () => {
    const big = JSON.stringify({ ...valid, pad: 'x'.repeat(70 * 1024) });
    const url = `${sim.url}/v2/payment/authorize`;
    // a page anywhere can send this (a simple text/plain POST): refused unread, and nothing of it kept
    const stranger = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: big });
    assert.equal(stranger.status, 401);
    const logged = sim.simulator.log.at(-1);
    assert.deepEqual([logged.headers.authorization, logged.body], ['invalid', undefined]);
    const headers = { 'content-type': 'application/json', authorization: `Basic ${sim.apiKey}` };
    const tooLarge = await fetch(url, { method: 'POST', headers, body: big });
    assert.equal(tooLarge.status, 413);
    assert.deepEqual([(await tooLarge.json()).error_code], ['PAYLOAD_TOO_LARGE']);
    // streamed without a Content-Length: cut off at the limit too
    const chunks = new ReadableStream({
      pull: (controller) => controller.enqueue(new TextEncoder().encode('x'.repeat(16 * 1024))),
    });
    const streamed = await fetch(url, { method: 'POST', headers, body: chunks, duplex: 'half' });
    assert.equal(streamed.status, 413);
    for (let sent = 0; sent < 1100; sent += 100) {
      await Promise.all(
        Array.from({ length: 100 }, () =>
          fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }).then((response) =>
            response.arrayBuffer(),
          ),
        ),
      );
    }
    assert.equal(sim.simulator.log.length, 1000, 'the last 1,000 calls');
    assert.equal((await authorize(valid)).status, 200, 'and it goes on answering');
    assert.equal(sim.simulator.log.at(-1).headers.authorization, 'valid');
  });

  it('signs its webhooks with HMAC-SHA256 over the raw body and retries until they are taken', async () => {
    const { createServer } = await import('node:http');
    const { signWebhook } = await import('../../demo/server/signing.ts');
    const received = [];
    const server = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk) => (raw += chunk));
      request.on('end', () => {
        received.push({
          raw,
          signature: request.headers['klarna-signature'],
          keyId: request.headers['klarna-signing-key-id'],
        });
        response.writeHead(received.length === 1 ? 500 : 204).end();
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    sim.webhookUrl = `http://127.0.0.1:${server.address().port}/hooks`;
    try {
      const stepUp = await (
        await authorize(valid, {
          'klarna-network-session-token': 'krn:network:us1:test:session-token:sim.step-up.prompt.d',
        })
      ).json();
      sim.simulator.decide(stepUp.payment_request.payment_request_id, 'cancel');
      for (let tries = 0; received.length < 2 && tries < 60; tries++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(received.length, 2, 'retried after a 500');
      const [first, second] = received;
      assert.equal(first.signature, signWebhook(first.raw, sim.secret));
      assert.equal(first.keyId, sim.signingKeyId);
      const event = JSON.parse(second.raw);
      assert.equal(event.metadata.event_type, 'payment.request.state-change.canceled');
      assert.equal(event.metadata.event_id, JSON.parse(first.raw).metadata.event_id, 'a retry is the same event');
    } finally {
      sim.webhookUrl = undefined;
      server.close();
    }
  });
});

// A merchant's backend for <pay-with-klarna>: the initiate endpoint, Klarna's webhook and the final
// authorization, in Node 20+ with nothing to install (docs/backend.md explains each step). Run:
// KLARNA_API_KEY=… KLARNA_WEBHOOK_SIGNING_KEYS=id:secret PUBLIC_URL=https://shop.example node initiate-endpoint.mjs
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const KLARNA = process.env.KLARNA_API_BASE ?? 'https://api-global.test.klarna.com'; // live: https://api-global.klarna.com
const signingKeys = new Map(
  (process.env.KLARNA_WEBHOOK_SIGNING_KEYS ?? '')
    .split(',')
    .map((entry) => [entry.slice(0, entry.indexOf(':')), entry.slice(entry.indexOf(':') + 1)]),
);
// Your cart store (a database in production): the amount is always the server's, never the page's.
const carts = new Map([['cart-1', { amount: 11800, currency: 'USD', status: 'open' }]]);
const seenEvents = new Set(); // Klarna may send an event more than once: handle each metadata.event_id once

/** Klarna's Payment Authorize (the final authorization sends the same purchase again); {} when Klarna did not answer 2xx. */
async function authorize(cartId, cart, headers, extra = {}) {
  try {
    const response = await fetch(`${KLARNA}/v2/payment/authorize`, {
      method: 'POST',
      headers: { authorization: `Basic ${process.env.KLARNA_API_KEY}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({
        currency: cart.currency,
        request_payment_transaction: {
          amount: cart.amount,
          payment_option_id: cart.paymentOptionId,
          payment_transaction_reference: `${cartId}-tx`,
        },
        ...extra,
      }),
    });
    if (response.ok) return await response.json();
    console.error(`cart ${cartId}: Klarna answered ${response.status}: ${await response.text()}`); // 401: check KLARNA_API_KEY
  } catch (error) {
    console.error(`cart ${cartId}: Klarna could not be reached: ${error.message}`);
  }
  return {};
}

async function initiate(request, answer) {
  const { klarnaNetworkSessionToken, paymentOptionId, cartId } = JSON.parse(await readBody(request));
  const key = request.headers['idempotency-key']; // the same when the element retries this attempt
  if (!key) return answer(400, { message: 'Idempotency-Key is missing.' });
  const cart = carts.get(cartId);
  if (!cart || (cart.status !== 'open' && cart.attempt !== key))
    return answer(409, { message: 'This cart cannot be paid now.' });
  Object.assign(cart, { status: 'authorizing', attempt: key, paymentOptionId }); // claimed: one attempt at a time
  const result = await authorize(
    cartId,
    cart,
    { 'klarna-network-session-token': klarnaNetworkSessionToken, 'klarna-idempotency-key': key },
    {
      step_up_config: {
        payment_request_reference: cartId,
        customer_interaction_config: {
          method: 'SDK',
          return_url: `${process.env.PUBLIC_URL}/orders/${cartId}?id={klarna.payment_request.id}`,
        },
      },
    },
  );
  const outcome = result.payment_transaction_response?.result;
  if (outcome === 'APPROVED') return (paid(cartId, result), answer(200, { returnUrl: `/orders/${cartId}` }));
  cart.status = 'open'; // nothing is taken before the final authorization
  if (outcome === 'STEP_UP_REQUIRED')
    return answer(200, {
      paymentRequestUrl: result.payment_request.state_context.customer_interaction.payment_request_url,
    });
  if (outcome === 'DECLINED')
    return answer(402, { message: 'Klarna declined this purchase. Please choose another payment method.' });
  return answer(502, { message: 'Klarna could not be reached. Please try again.' });
}

async function webhook(request, answer) {
  const raw = await readBody(request); // the signature covers the bytes as sent: check before parsing
  const secret = signingKeys.get(request.headers['klarna-signing-key-id']);
  const expected = Buffer.from(secret ? createHmac('sha256', secret).update(raw).digest('hex') : '');
  const given = Buffer.from(String(request.headers['klarna-signature']));
  if (!secret || given.length !== expected.length || !timingSafeEqual(given, expected))
    return answer(400, { message: 'Bad signature' });
  const { metadata, payload } = JSON.parse(raw);
  if (metadata.live !== KLARNA.startsWith('https://api-global.klarna.com'))
    return answer(400, { message: 'Wrong environment' });
  const cartId = payload.payment_request_reference;
  const cart = carts.get(cartId);
  if (
    seenEvents.has(metadata.event_id) ||
    metadata.event_type !== 'payment.request.state-change.completed' ||
    cart?.status !== 'open'
  )
    return answer(200, {});
  cart.status = 'authorizing'; // claimed: a repeat of this event while the call runs changes nothing
  // The final authorization: the completion's token, within 60 minutes of it, for the same purchase.
  const result = await authorize(cartId, cart, {
    'klarna-network-session-token': payload.klarna_network_session_token,
  });
  const outcome = result.payment_transaction_response?.result;
  if (!outcome) return ((cart.status = 'open'), answer(500, { message: 'Try again' })); // Klarna retries the event
  seenEvents.add(metadata.event_id); // handled only once Klarna has decided
  if (outcome === 'APPROVED') paid(cartId, result);
  else ((cart.status = 'open'), console.log(`cart ${cartId}: final authorization ${outcome}`));
  return answer(200, {});
}

function paid(cartId, result) {
  carts.get(cartId).status = 'paid';
  console.log(
    `cart ${cartId}: paid, ${result.payment_transaction_response.payment_transaction.payment_transaction_id}`,
  );
}

async function readBody(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8'); // whole before decoding: a character may span two chunks
}

const server = createServer((request, response) => {
  const answer = (status, body) =>
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const route =
    request.method === 'POST' && { '/api/klarna/initiate': initiate, '/api/klarna/webhooks': webhook }[request.url];
  if (!route) return answer(404, { message: 'Not found' });
  route(request, answer).catch((error) => (console.error(error), answer(500, { message: 'Something went wrong.' })));
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () =>
  console.log(`listening on http://127.0.0.1:${server.address().port}`),
);

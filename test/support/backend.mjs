/**
 * A merchant backend for the component tests, mounted on web-test-runner's own HTTP server:
 * POST /test-backend/<scenario>/<run> answers as the scenario says and records the request;
 * GET /test-backend/log/<run> returns what it recorded for that run.
 */
const logs = new Map();

const scenarios = {
  ok: () => [200, { paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/fake-1/start' }],
  approved: () => [200, { returnUrl: 'http://127.0.0.1/order/1' }],
  id: () => [200, { paymentRequestId: 'krn:payment:na1:request:fake-2' }],
  fail: () => [503, { error: 'Klarna is unavailable, try again' }],
  declined: () => [402, { message: 'Klarna declined this purchase. Please choose another payment method.' }],
  forbidden: () => [403, { error: 'Cross-site request refused' }],
  garbage: () => [200, '{"paymentRequestUrl": '],
  empty: () => [200, {}],
  'bad-url': () => [200, { returnUrl: 'javascript:alert(1)' }],
  slow: () => [200, { paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/slow/start' }, 2000],
  // fails the first time a run calls it, then succeeds: a retry of the same attempt
  flaky: (entries) =>
    entries.length === 1
      ? [503, { error: 'try again' }]
      : [200, { paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/flaky/start' }],
};

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export async function testBackend(ctx, next) {
  const match = /^\/test-backend\/([^/]+)\/([^/?]+)/.exec(ctx.path);
  if (!match) return next();
  const [, scenario, run] = match;
  if (scenario === 'log' && ctx.method === 'GET') {
    ctx.type = 'json';
    ctx.body = JSON.stringify(logs.get(run) ?? []);
    return;
  }
  if (ctx.method !== 'POST' || !scenarios[scenario]) return next();
  const entries = logs.get(run) ?? [];
  logs.set(run, entries);
  const raw = await readBody(ctx.req);
  entries.push({ headers: ctx.headers, body: JSON.parse(raw) });
  const [status, answer, delayMs] = scenarios[scenario](entries);
  if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
  ctx.status = status;
  ctx.type = 'json';
  ctx.body = typeof answer === 'string' ? answer : JSON.stringify(answer);
}

/**
 * The hosted purchase journey at payment_request_url: the customer approves, declines or cancels,
 * and is sent back to the shop (or the popup reports to the page that opened it and closes).
 */
import type { Hono } from 'hono';
import { money as formatMoney } from '../catalog.js';
import type { PaymentRequest, SimulatorState } from './state.js';

export type JourneyDecision = 'approve' | 'decline' | 'cancel';

const JOURNEY_STYLE = `
  body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#ffa8cd;color:#0b051d}
  main{max-width:26rem;margin:2rem auto;background:#fff;border-radius:1rem;padding:1.5rem 2rem;
    box-shadow:0 2px 12px #0003}
  h1{font-size:1.4rem}ul{padding:0;list-style:none}
  li{display:flex;justify-content:space-between;gap:1rem;border-bottom:1px solid #eee;padding:.4rem 0}
  form{display:grid;gap:.6rem;margin-top:1.5rem}
  button{font:inherit;padding:.7rem;border-radius:2rem;border:1px solid #0b051d;background:#fff;cursor:pointer}
  button.primary{background:#0b051d;color:#fff}
  .merchant{color:#555;font-size:.9rem}`;

const DECISION_FORM = `
    <form method="post">
      <button name="decision" value="approve" class="primary">Approve and pay</button>
      <button name="decision" value="decline">Decline</button>
      <button name="decision" value="cancel">Cancel</button>
    </form>`;

const NO_REAL_PAYMENT = '<p class="merchant">Offline simulator: no real payment is made.</p>';

const CONSENT = '<p>You allow the shop to charge your Klarna account for later periods.</p>';

const escapeHtml = (text: unknown) => String(text ?? '').replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** Inside a <script>: JSON that cannot close the script element. */
const scriptValue = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function money(amount: number | undefined, currency: string) {
  if (amount === undefined) return 'nothing today';
  return formatMoney(amount, currency);
}

function journeyPage(title: string, content: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
  <meta name="viewport" content="width=device-width,initial-scale=1">
  <title>${escapeHtml(title)} · Klarna Simulator</title>
  <style>${JOURNEY_STYLE}</style></head>
  <body><main><h1>${escapeHtml(title)}</h1>${content}${NO_REAL_PAYMENT}</main></body></html>`;
}

function journeyForm(request: PaymentRequest) {
  type Line = { name: string; quantity: number; total_amount: number };
  const lines = (request.purchaseData?.line_items as Line[] | undefined) ?? [];
  const subscriptions = (request.purchaseData?.subscriptions as Array<{ name: string }> | undefined) ?? [];
  const reference = request.purchaseData?.purchase_reference ?? request.reference ?? '';
  const line = (item: Line) =>
    `<li>${escapeHtml(item.quantity)} × ${escapeHtml(item.name)} ` +
    `<span>${money(item.total_amount, request.currency)}</span></li>`;
  return `
    <p class="merchant">Klarna Simulator · ${escapeHtml(reference)}</p>
    <ul>${lines.map(line).join('')}
        ${subscriptions.map((plan) => `<li>Subscription: ${escapeHtml(plan.name)}</li>`).join('')}</ul>
    <p class="total">Total <strong>${money(request.amount, request.currency)}</strong></p>
    ${request.requestCustomerToken ? CONSENT : ''}${DECISION_FORM}`;
}

/** The page after the decision: back to the shop (or to the page that opened this popup). */
function resultPage(request: PaymentRequest, back: string) {
  const state = request.state;
  const message = { type: 'klarna-simulator-journey', state, paymentRequestId: request.id };
  return journeyPage(
    state === 'COMPLETED' ? 'Approved' : state === 'DECLINED' ? 'Declined' : 'Cancelled',
    `<p id="result" data-state="${state}">Returning you to the shop…</p>
         ${back ? `<p><a id="return" href="${escapeHtml(back)}">Back to the shop</a></p>` : ''}
         <script>
           const message = ${scriptValue(message)};
           if (window.opener) { window.opener.postMessage(message, '*'); window.close(); }
           else if (${scriptValue(back)}) location.replace(${scriptValue(back)});
         </script>`,
  );
}

/**
 * The return URL with Klarna's template variables filled in for this payment request (as Klarna is
 * seen to do: {klarna.payment_request.id}, .state and .klarna_network_session_token), also where a
 * URL parser has percent-encoded their braces.
 */
export function fillReturnUrl(url: string, request: { id: string; state: string; sessionToken?: string }): string {
  const values: Record<string, string> = {
    id: request.id,
    state: request.state,
    klarna_network_session_token: request.sessionToken ?? '',
  };
  const variable = /(?:\{|%7[Bb])klarna\.payment_request\.(id|state|klarna_network_session_token)(?:\}|%7[Dd])/g;
  return url.replace(variable, (_, name: string) => encodeURIComponent(values[name]!));
}

export function journeyRoutes(
  app: Hono,
  state: SimulatorState,
  decide: (request: PaymentRequest, decision: string) => void,
) {
  app.get('/journey/:id', (c) => {
    const request = state.requests.get(c.req.param('id'));
    if (!request)
      return c.html(journeyPage('Payment request not found', '<p>This payment request does not exist.</p>'), 404);
    if (request.state !== 'SUBMITTED' && request.state !== 'IN_PROGRESS') {
      return c.html(journeyPage('Already finished', `<p>This payment request is ${request.state}.</p>`));
    }
    if (request.state === 'SUBMITTED') {
      request.previousState = request.state;
      request.state = 'IN_PROGRESS';
      request.updatedAt = state.iso();
      state.save();
    }
    return c.html(journeyPage(`Pay ${money(request.amount, request.currency)}`, journeyForm(request)));
  });

  app.post('/journey/:id', async (c) => {
    const request = state.requests.get(c.req.param('id'));
    if (!request) return c.text('not found', 404);
    const form = await c.req.parseBody();
    decide(request, String(form.decision));
    // As Klarna does: its template variables in the return URL are filled in for this request.
    const back = request.returnUrl ? fillReturnUrl(request.returnUrl, request) : '';
    return c.html(resultPage(request, back));
  });
}

// The cart lives in the browser until checkout; prices always come from the server.
const KEY = 'pay-with-klarna-demo-cart';
export const readCart = () => JSON.parse(localStorage.getItem(KEY) ?? '[]');
export const writeCart = (lines) =>
  localStorage.setItem(KEY, JSON.stringify(lines.filter((line) => line.quantity > 0)));
/** The most of one product an order takes (the shop refuses more). */
export const MAX_QUANTITY = 99;
/** One more of `sku`, up to MAX_QUANTITY: false when the cart holds that many already. */
export function addToCart(sku) {
  const lines = readCart();
  const line = lines.find((candidate) => candidate.sku === sku);
  if (line && line.quantity >= MAX_QUANTITY) return false;
  if (line) line.quantity += 1;
  else lines.push({ sku, quantity: 1 });
  writeCart(lines);
  return true;
}
export const money = (amount, currency = 'USD') =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount / 100);
export async function api(path, body, headers = {}) {
  const response = await fetch(
    path,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) },
  );
  const data = await response.json().catch(() => ({}));
  if (!response.ok)
    throw Object.assign(new Error(data.error ?? data.message ?? `HTTP ${response.status}`), {
      status: response.status,
      data,
    });
  return data;
}

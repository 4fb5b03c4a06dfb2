import { MAX_QUANTITY, addToCart, api, money, readCart } from '/storefront/cart.js';

const cartLink = document.getElementById('cart-link');
const showCount = () => (cartLink.textContent = `Cart (${readCart().reduce((sum, line) => sum + line.quantity, 0)})`);
showCount();

for (const product of await api('/api/products')) {
  const card = document.createElement('article');
  card.className = 'card';
  const image = Object.assign(document.createElement('img'), { src: product.image, alt: '' });
  const name = Object.assign(document.createElement('h2'), { textContent: product.name });
  const description = Object.assign(document.createElement('p'), {
    className: 'muted',
    textContent: product.description,
  });
  const price = Object.assign(document.createElement('p'), {
    className: 'price',
    textContent: product.subscription ? `${money(product.price)} / month` : money(product.price),
  });
  const button = Object.assign(document.createElement('button'), {
    type: 'button',
    textContent: product.subscription ? 'Subscribe' : 'Add to cart',
  });
  button.setAttribute('aria-label', `${button.textContent}: ${product.name}`);
  const full = Object.assign(document.createElement('p'), { className: 'muted', role: 'status' });
  button.addEventListener('click', () => {
    full.textContent = addToCart(product.sku) ? '' : `Your cart holds ${MAX_QUANTITY}, the most one order takes.`;
    showCount();
  });
  card.append(image, name, description, price, button, full);
  document.getElementById('products').append(card);
}

// A merchant's own script that does not import the bundle and runs before the element is
// registered. What it sets and listens to must still count.
const element = document.querySelector('pay-with-klarna');
window.__definedWhenMerchantRan = Boolean(customElements.get('pay-with-klarna'));
element.amount = 4200; // the cart changed before Klarna was asked
element.addEventListener('klarna-presentation', (event) => (window.__heard = event.detail.instruction));

// A merchant's own script that does not import the bundle and runs before the element is registered
// (here a classic script, so that it surely does: a module after the bundle may run before or after
// registration, depending on when it arrives). What it sets and listens to must still count.
const element = document.querySelector('pay-with-klarna');
window.__definedWhenMerchantRan = Boolean(customElements.get('pay-with-klarna'));
element.amount = 4200; // the cart changed before Klarna was asked
element.addEventListener('klarna-presentation', (event) => {
  document.getElementById('status').textContent = `Presented: ${event.detail.instruction}`;
});

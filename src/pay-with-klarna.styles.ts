import { unsafeCSS } from '@lit/reactive-element';

// A constant of this file, never built from input: unsafeCSS takes it as it is, without the css tag's
// checks for interpolated values (there are none), which would add their own code to the bundle.
export const styles = unsafeCSS(`
  :host {
    display: block;
    color: var(--pay-with-klarna-color, inherit);
    contain: layout;
    overflow-wrap: anywhere;
  }
  /* !important keeps the minifier from merging it into the :state() rule below: where :state() is
     unknown, that whole rule is dropped, and it must not take [hidden] down with it */
  :host([hidden]) {
    display: none !important;
  }
  :host(:state(hidden)),
  :host(:state(unavailable)) {
    display: none;
  }
  [hidden] {
    display: none !important;
  }
  [part='options'] {
    display: grid;
    gap: var(--pay-with-klarna-gap, 0.75rem);
  }
  [part='placeholder'],
  [part='option'] {
    min-height: var(--pay-with-klarna-option-min-height, 4rem);
    box-sizing: border-box;
    border: 1px solid var(--pay-with-klarna-border-color, #8a8a94);
    border-radius: var(--pay-with-klarna-radius, 0.5rem);
    background: var(--pay-with-klarna-background, transparent);
  }
  /*
   * While loading, the row's height is kept and nothing is drawn: under SHOW_KLARNA and the others
   * nothing below moves when Klarna appears, and under SHOW_ONLY_KLARNA, which hides the methods
   * above, no drawn placeholder jumps up (a layout shift). The status text stays for screen readers.
   */
  :host(:state(loading)) {
    visibility: hidden;
  }
  [part='option'][data-selected] {
    border-color: var(--pay-with-klarna-accent-color, #0b051d);
    box-shadow: 0 0 0 1px var(--pay-with-klarna-accent-color, #0b051d);
  }
  [part='radio'] {
    display: grid;
    grid-template-columns: auto auto minmax(0, 1fr) auto;
    align-items: center;
    gap: var(--pay-with-klarna-gap, 0.75rem);
    /* the option's 1px borders make up the rest of the height kept while loading */
    min-height: calc(var(--pay-with-klarna-option-min-height, 4rem) - 2px);
    box-sizing: border-box;
    padding: var(--pay-with-klarna-padding, 0.5rem 1rem);
    cursor: pointer;
    border-radius: var(--pay-with-klarna-radius, 0.5rem);
    outline: none;
  }
  [part='radio']:focus-visible {
    outline: var(--pay-with-klarna-focus-ring, 2px solid #1a73e8);
    outline-offset: 2px;
  }
  /* Klarna's texts and icon in the row take no clicks of their own: the row under them does. A
     WebDriver Element Click (Selenium, WebdriverIO) hits the row's centre, and refuses with "element
     click intercepted" when what is there is the light-DOM text rather than the radio itself. */
  [part='radio'] ::slotted(*) {
    pointer-events: none;
  }
  [part='radio'][aria-disabled='true'] {
    cursor: not-allowed;
    opacity: 0.6;
  }
  [part='indicator'] {
    width: 1.1rem;
    height: 1.1rem;
    border-radius: 50%;
    border: 2px solid var(--pay-with-klarna-border-color, #8a8a94);
    box-sizing: border-box;
  }
  [aria-checked='true'] > [part='indicator'] {
    border: 0.35rem solid var(--pay-with-klarna-accent-color, #0b051d);
  }
  .texts {
    display: grid;
    min-width: 0;
  }
  [part='details'] {
    display: grid;
    gap: var(--pay-with-klarna-gap, 0.75rem);
    padding: 0 1rem 1rem;
  }
  .visually-hidden {
    visibility: visible;
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`);

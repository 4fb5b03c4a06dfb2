import { css } from '@lit/reactive-element';

export const styles = css`
  :host {
    display: block;
    --_gap: var(--pay-with-klarna-gap, 0.75rem);
    --_padding: var(--pay-with-klarna-padding, 0.5rem 1rem);
    --_row-height: var(--pay-with-klarna-option-min-height, 4rem);
    --_radius: var(--pay-with-klarna-radius, 0.5rem);
    --_border: var(--pay-with-klarna-border-color, #c9c9d0);
    --_accent: var(--pay-with-klarna-accent-color, #0b051d);
    --_focus: var(--pay-with-klarna-focus-ring, 2px solid #1a73e8);
    --_background: var(--pay-with-klarna-background, transparent);
    color: var(--pay-with-klarna-color, inherit);
    font: inherit;
    contain: layout;
    overflow-wrap: anywhere;
  }
  :host([hidden]) {
    display: none;
  }
  /* a rule of its own: where :state() is unknown, it must not take [hidden] down with it */
  :host(:state(hidden)),
  :host(:state(unavailable)) {
    display: none;
  }
  [hidden] {
    display: none !important;
  }
  [part='options'] {
    display: grid;
    gap: var(--_gap);
  }
  [part='placeholder'],
  [part='option'] {
    min-height: var(--_row-height);
    box-sizing: border-box;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_background);
  }
  /* a still skeleton in the text's own colour, so it suits light and dark pages alike */
  [part='placeholder'] {
    background: color-mix(in srgb, currentColor 6%, transparent);
    border-color: transparent;
  }
  [part='option'][data-selected] {
    border-color: var(--_accent);
    box-shadow: 0 0 0 1px var(--_accent);
  }
  [part='radio'] {
    display: grid;
    grid-template-columns: auto auto minmax(0, 1fr) auto;
    align-items: center;
    gap: var(--_gap);
    /* the option's 1px borders make up the rest of the height kept while loading */
    min-height: calc(var(--_row-height) - 2px);
    box-sizing: border-box;
    padding: var(--_padding);
    cursor: pointer;
    border-radius: var(--_radius);
    outline: none;
  }
  [part='radio']:focus-visible {
    outline: var(--_focus);
    outline-offset: 2px;
  }
  [part='radio'][aria-disabled='true'] {
    cursor: not-allowed;
    opacity: 0.6;
  }
  [part='indicator'] {
    width: 1.1rem;
    height: 1.1rem;
    border-radius: 50%;
    border: 2px solid var(--_border);
    box-sizing: border-box;
  }
  [aria-checked='true'] > [part='indicator'] {
    border: 0.35rem solid var(--_accent);
  }
  .texts {
    display: grid;
    min-width: 0;
  }
  [part='details'] {
    display: grid;
    gap: var(--_gap);
    padding: 0 1rem 1rem;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

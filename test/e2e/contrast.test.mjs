import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launch } from './support/browser.mjs';
import { startShop } from './support/shop.mjs';

/**
 * Colour contrast at the storefront's checkout, light and dark (prefers-color-scheme), from the
 * colours Chromium computes: the borders that show a payment method's row and radio need 3:1 on
 * what is behind them (WCAG 1.4.11), the testing kit's muted texts and its "Saved" badge 4.5:1 (1.4.3).
 */
describe('contrast at the storefront checkout', () => {
  let browser;
  let shop;
  before(async () => {
    [browser, shop] = await Promise.all([launch(), startShop()]);
  });
  after(async () => {
    await Promise.all([browser?.close(), shop?.stop()]);
  });

  /** What the page measures: every visible border and muted text, its colour and the colour behind it, as contrast ratios. */
  function measure() {
    const rgb = (colour) => {
      const [r, g, b, a = 1] = colour.match(/[\d.]+/g).map(Number);
      return a === 0 ? undefined : [r, g, b];
    };
    const luminance = (channels) => {
      const [r, g, b] = channels.map((value) => {
        const c = value / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (one, two) => {
      const [dark, light] = [luminance(one), luminance(two)].sort((x, y) => x - y);
      return Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100;
    };
    // the first opaque background up the flat tree (slots and shadow hosts included)
    const behind = (node) => {
      for (let at = node; at; at = at.assignedSlot ?? at.parentNode ?? at.host) {
        if (at.nodeType === Node.ELEMENT_NODE) {
          const colour = rgb(getComputedStyle(at).backgroundColor);
          if (colour) return colour;
        }
      }
      return [255, 255, 255];
    };
    const element = document.querySelector('pay-with-klarna');
    const results = [];
    const add = (what, colour, background) => results.push({ what, ratio: ratio(rgb(colour), background) });
    for (const option of element.shadowRoot.querySelectorAll('[part=option]:not([hidden]):not([data-selected])')) {
      const border = getComputedStyle(option).borderTopColor;
      add('Klarna row border, inside', border, behind(option));
      add('Klarna row border, outside', border, behind(option.parentNode));
      const indicator = option.querySelector('[part=indicator]');
      add('Klarna radio circle', getComputedStyle(indicator).borderTopColor, behind(indicator));
    }
    for (const method of document.querySelectorAll('.method'))
      add('other method row border', getComputedStyle(method).borderTopColor, behind(method.parentNode));
    for (const part of element.querySelectorAll('klarna-fake-ui')) {
      const name = part.getAttribute('part-name');
      const span = part.shadowRoot?.querySelector('span');
      if (!['subheader', 'terms', 'badge'].includes(name) || !span?.checkVisibility()) continue;
      add(`Klarna ${name} text`, getComputedStyle(span).color, behind(span));
    }
    return results;
  }

  /** Klarna's visible button: its background against the panel, and its focus ring (outline, or the ring of its box-shadow) against the same. */
  function measureButton() {
    const rgb = (colour) =>
      colour
        .match(/[\d.]+/g)
        .slice(0, 3)
        .map(Number);
    const luminance = (channels) => {
      const [r, g, b] = channels.map((value) => {
        const c = value / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (one, two) => {
      const [dark, light] = [luminance(one), luminance(two)].sort((x, y) => x - y);
      return Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100;
    };
    const behind = (node) => {
      for (let at = node; at; at = at.assignedSlot ?? at.parentNode ?? at.host) {
        if (at.nodeType === Node.ELEMENT_NODE) {
          const [r, g, b, a = 1] = getComputedStyle(at)
            .backgroundColor.match(/[\d.]+/g)
            .map(Number);
          if (a !== 0) return [r, g, b];
        }
      }
      return [255, 255, 255];
    };
    const host = [...document.querySelectorAll('klarna-fake-payment-button')].find((candidate) =>
      candidate.checkVisibility(),
    );
    const button = host.shadowRoot.querySelector('button');
    const style = getComputedStyle(button);
    const page = behind(host.parentNode);
    const ringColours = [style.outlineColor, ...(style.boxShadow.match(/rgba?\([^)]*\)/g) ?? [])].map(rgb);
    return {
      focused: host.shadowRoot.activeElement === button,
      ratio: ratio(rgb(style.backgroundColor), page),
      ring: {
        style: style.outlineStyle,
        width: parseFloat(style.outlineWidth),
        offset: parseFloat(style.outlineOffset),
        ratio: Math.max(...ringColours.map((colour) => ratio(colour, page))),
      },
    };
  }

  for (const colorScheme of ['dark', 'light']) {
    it(`${colorScheme}: row borders, radio circles and Klarna's button 3:1, its focus ring drawn on the page, Klarna's subheader and "Saved" badge 4.5:1`, async () => {
      const context = await browser.newContext({ colorScheme });
      await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort('blockedbyclient'));
      // a returning customer: the fake also shows a saved option, with its badge
      await context.addInitScript(() => {
        let options;
        Object.defineProperty(globalThis, Symbol.for('pay-with-klarna.fake-options'), {
          configurable: true,
          get: () => options,
          set: (value) => (options = { ...value, savedOption: true }),
        });
      });
      const page = await context.newPage();
      await page.goto(`${shop.url}/`);
      await page.getByRole('button', { name: 'Add to cart: Wireless headphones' }).click();
      await page.getByRole('link', { name: 'Cart (1)' }).click();
      await page.getByRole('radio', { name: /saved account/ }).waitFor();
      assert.equal(
        await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches),
        colorScheme === 'dark',
      );

      const results = await page.evaluate(measure);
      for (const what of [
        'Klarna row border, inside',
        'Klarna radio circle',
        'other method row border',
        'Klarna subheader text',
        'Klarna badge text',
      ]) {
        assert.ok(
          results.some((result) => result.what === what),
          `nothing measured for ${what}`,
        );
      }
      const needed = (what) => (what.endsWith('text') ? 4.5 : 3);
      assert.deepEqual(
        results.filter(({ what, ratio }) => ratio < needed(what)),
        [],
        'below the contrast WCAG asks for',
      );

      // Klarna's button, once Klarna is selected, stands out from the panel (the page picks its
      // button-theme by colour scheme), and its keyboard focus ring is drawn on the page around it
      await page.getByRole('radio', { name: /saved account/ }).click();
      await page.getByRole('button', { name: 'Pay with Klarna' }).waitFor();
      await page.keyboard.press('Tab');
      const button = await page.evaluate(`(${measureButton})()`);
      assert.ok(button.focused, "Tab from Klarna's option reaches its button");
      assert.ok(button.ratio >= 3, `Klarna's button on the panel: ${button.ratio}:1`);
      assert.equal(button.ring.style, 'solid', 'a focus ring of its own, not the browser default');
      assert.ok(
        button.ring.width >= 2 && button.ring.offset >= 2,
        `a ring 2px wide, 2px off the button (${JSON.stringify(button.ring)})`,
      );
      assert.ok(button.ring.ratio >= 3, `the focus ring on the page behind the button: ${button.ring.ratio}:1`);
      await context.close();
    });
  }
});

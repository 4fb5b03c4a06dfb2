import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPage, serveFake } from './support/browser.mjs';
import { useBrowserAndServer } from './support/suite.mjs';

describe('the script-tag bundle in a plain HTML page', () => {
  const shared = useBrowserAndServer();

  it('a customer selects Klarna, presses its button and pays through the backend', async () => {
    const { page, klarnaRequests, errors, context } = await openPage(shared.browser, {
      fakeOptions: { journey: 'complete' },
    });
    await page.goto(`${shared.server.url}/test/e2e/pages/checkout.html`);
    const klarna = page.getByRole('radio', { name: 'Pay with Klarna' });
    await klarna.waitFor();
    assert.equal(await klarna.getAttribute('aria-checked'), 'false');
    await page.getByLabel('Card').check();
    await klarna.click();
    assert.equal(await klarna.getAttribute('aria-checked'), 'true');
    assert.equal(await page.getByLabel('Card').isChecked(), false);
    await page.getByRole('button', { name: 'Pay with Klarna' }).click();
    await page.getByText(/^Paid: krn:payment:/).waitFor();
    assert.equal(shared.server.initiations.length, 1);
    const [{ body, headers }] = shared.server.initiations;
    assert.match(body.klarnaNetworkSessionToken, /^krn:network:/);
    const presented = await page.evaluate(
      () => globalThis[Symbol.for('pay-with-klarna.fake')].paymentOptionIds.standard,
    );
    assert.deepEqual(
      {
        paymentOptionId: body.paymentOptionId,
        amount: body.amount,
        currency: body.currency,
        locale: body.locale,
        intents: body.intents,
      },
      { paymentOptionId: presented, amount: 11800, currency: 'USD', locale: 'en-US', intents: ['PAY'] },
    );
    assert.match(headers['idempotency-key'], /^[0-9a-f-]{36}$/);
    assert.deepEqual(klarnaRequests, ['https://js.klarna.com/web-sdk/v2/klarna.mjs']);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('asks for klarna.mjs before registering the element when the page has one: one import, one download, then a task boundary', async () => {
    const { page, context, klarnaRequests } = await openPage(shared.browser);
    await page.addInitScript(() => {
      customElements.whenDefined('pay-with-klarna').then(() => (window.__definedAt = performance.now()));
      // The bundle's first act looks for an element on the page, then imports klarna.mjs. A timer
      // set at that moment fires in a later task: if the element is registered before it has fired,
      // the import and the registration (Lit, the element) ran in one task.
      const querySelector = Document.prototype.querySelector;
      Document.prototype.querySelector = function (selector) {
        if (selector === 'pay-with-klarna') {
          Document.prototype.querySelector = querySelector;
          let sameTask = true;
          setTimeout(() => (sameTask = false), 0);
          const define = customElements.define;
          customElements.define = function (name, ...rest) {
            if (name === 'pay-with-klarna') window.__registeredInFirstTask = sameTask;
            return define.call(this, name, ...rest);
          };
        }
        return querySelector.call(this, selector);
      };
    });
    await page.goto(`${shared.server.url}/test/e2e/pages/checkout.html`);
    await page.getByRole('radio', { name: 'Pay with Klarna' }).waitFor();
    const seen = await page.evaluate(
      (url) => ({
        links: document.querySelectorAll(`link[href="${url}"]`).length,
        fetches: performance.getEntriesByName(url).length,
        requestedFirst: performance.getEntriesByName(url)[0].startTime <= window.__definedAt,
        registeredInFirstTask: window.__registeredInFirstTask,
      }),
      'https://js.klarna.com/web-sdk/v2/klarna.mjs',
    );
    assert.deepEqual(seen, { links: 0, fetches: 1, requestedFirst: true, registeredInFirstTask: false });
    assert.equal(klarnaRequests.length, 1);
    await context.close();
  });

  it("the merchant's own script may set properties and listen before the element is registered", async () => {
    const { page, context, errors } = await openPage(shared.browser);
    // The checkout page, with the merchant's script after its element: a classic script, which runs
    // while the page is parsed, before any module, so surely before registration. (A module after the
    // bundle may run before or after registration, depending on when it arrives.)
    await page.route('**/test/e2e/pages/checkout.html', async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace(
        '</main>',
        '<script src="/test/e2e/pages/before-defined.js"></script></main>',
      );
      await route.fulfill({ response, body });
    });
    await page.goto(`${shared.server.url}/test/e2e/pages/checkout.html`);
    await page.waitForFunction(() => window.__heard === 'SHOW_KLARNA');
    const seen = await page.evaluate(() => ({
      definedWhenMerchantRan: window.__definedWhenMerchantRan,
      amounts: globalThis[Symbol.for('pay-with-klarna.fake')].presentationCalls.map((call) => call.amount),
    }));
    // definedWhenMerchantRan is the case's precondition (the merchant's script ran first), amounts its point
    assert.deepEqual(
      seen,
      { definedWhenMerchantRan: false, amounts: [4200] },
      'the merchant script ran before registration, and its amount was the one presented',
    );
    assert.deepEqual(errors, []);
    await context.close();
  });

  it("with the page's own hint, calls KlarnaSDK() before registering the element, which then takes that instance", async () => {
    let served;
    const sdkServed = new Promise((resolve) => (served = resolve));
    const { page, context, klarnaRequests, errors } = await openPage(shared.browser, {
      klarna: async (route) => (await serveFake(route), served()),
    });
    // The bundle arrives last, so Klarna's SDK (asked for by the page's hint) is downloaded when it runs.
    await page.route('**/dist/pay-with-klarna.js', async (route) => {
      await sdkServed;
      await route.continue();
    });
    await page.addInitScript(() => {
      window.__sdkCallsAt = [];
      let fake;
      Object.defineProperty(globalThis, Symbol.for('pay-with-klarna.fake'), {
        configurable: true,
        get: () => fake,
        set(value) {
          fake = value;
          const push = value.sdkCalls.push;
          value.sdkCalls.push = (...calls) => (
            window.__sdkCallsAt.push(performance.now()),
            push.apply(value.sdkCalls, calls)
          );
        },
      });
      customElements.whenDefined('pay-with-klarna').then(() => (window.__definedAt = performance.now()));
    });
    await page.goto(`${shared.server.url}/test/e2e/pages/hinted.html`);
    await page.getByRole('radio', { name: 'Pay with Klarna' }).waitFor();
    const seen = await page.evaluate(() => ({
      sdkCalls: window.__sdkCallsAt.length,
      beforeRegistration: window.__sdkCallsAt[0] < window.__definedAt,
      links: document.querySelectorAll('link[href="https://js.klarna.com/web-sdk/v2/klarna.mjs"]').length,
    }));
    assert.deepEqual(seen, { sdkCalls: 1, beforeRegistration: true, links: 1 });
    assert.equal(klarnaRequests.length, 1);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('asks for nothing on a page without an element, and loads Klarna once one connects', async () => {
    const { page, context, klarnaRequests } = await openPage(shared.browser);
    await page.goto(`${shared.server.url}/test/e2e/pages/no-element.html`);
    await page.waitForFunction(() => customElements.get('pay-with-klarna'));
    assert.equal(klarnaRequests.length, 0);
    await page.evaluate(() => {
      const element = document.createElement('pay-with-klarna');
      for (const [name, value] of Object.entries({
        'client-id': 'klarna_test_client_e2e',
        amount: '4200',
        currency: 'USD',
        'initiate-url': '/api/klarna/initiate',
      }))
        element.setAttribute(name, value);
      document.getElementById('payment-form').append(element);
    });
    await page.getByRole('radio', { name: 'Pay with Klarna' }).waitFor();
    assert.equal(klarnaRequests.length, 1);
    await context.close();
  });

  // the script tag the README gives: alone, with the README's <head> hints (which preload the bundle), and
  // replaced by a module of the page that imports the bundle, with those hints
  for (const [label, query] of [
    ['', ''],
    [" with the README's <head> hints", 'preload=readme&'],
    [" imported by a module, with the README's <head> hints", 'preload=readme&import&'],
  ]) {
    it(`loads with the integrity hash the build prints${label}, and not at all when the file differs`, async () => {
      const { page, context, klarnaRequests } = await openPage(shared.browser);
      await page.goto(`${shared.server.url}/test/e2e/pages/integrity.html?${query}`);
      await page.getByRole('radio', { name: 'Pay with Klarna' }).waitFor();
      assert.equal(klarnaRequests.length, 1); // with the hint, it and the element's import() share one download
      const tampered = await openPage(shared.browser);
      await tampered.page.goto(`${shared.server.url}/test/e2e/pages/integrity.html?${query}tampered`);
      await tampered.page.waitForLoadState('load');
      assert.equal(await tampered.page.evaluate(() => customElements.get('pay-with-klarna')), undefined);
      await Promise.all([context.close(), tampered.context.close()]);
    });
  }

  it("a preload of the bundle without the hash lets a changed file run: why the README's carries it", async () => {
    const { page, context } = await openPage(shared.browser);
    await page.goto(`${shared.server.url}/test/e2e/pages/integrity.html?preload=bare&tampered`);
    await page.getByRole('radio', { name: 'Pay with Klarna' }).waitFor();
    await context.close();
  });

  it('three elements and the bundle loaded twice: one SDK download, one KlarnaSDK(), no errors', async () => {
    const { page, klarnaRequests, errors, context } = await openPage(shared.browser);
    await page.goto(`${shared.server.url}/test/e2e/pages/many.html`);
    await page.getByRole('radio', { name: 'Pay with Klarna' }).nth(2).waitFor();
    assert.equal(await page.getByRole('radio', { name: 'Pay with Klarna' }).count(), 3);
    assert.equal(klarnaRequests.length, 1);
    const sdkCalls = await page.evaluate(() => globalThis[Symbol.for('pay-with-klarna.fake')].sdkCalls.length);
    assert.equal(sdkCalls, 1);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { remote } from 'webdriverio';
import { startChromeDriver, startWebKitDriver } from '../support/browsers.mjs';
import { WEBDRIVER_OPTIONS, webDriverPage, webKitProxyArgs } from './support/engines.mjs';
import { serveFake, startKlarnaProxy } from './support/klarna-proxy.mjs';
import { startServer } from './support/server.mjs';

/**
 * Merchants' own end-to-end suites drive their checkout with W3C WebDriver clients (Selenium,
 * WebdriverIO): their Element Click on Klarna's option must select it, not answer "element click
 * intercepted". WebDriver classic exists here for Chromium (chromedriver) and WebKit
 * (WebKitWebDriver); Firefox's geckodriver is not in Debian, so there the component tests check the
 * same condition Element Click checks (test/unit/hit-testing.test.ts).
 */
const DRIVERS = {
  chromium: {
    start: startChromeDriver,
    proxyArgs: (proxy) => [`--proxy-server=http://${proxy.host}`, '--ignore-certificate-errors'],
  },
  webkit: { start: startWebKitDriver, proxyArgs: webKitProxyArgs },
};

for (const [engine, { start, proxyArgs }] of Object.entries(DRIVERS)) {
  describe(`WebdriverIO over WebDriver classic, in ${engine}`, () => {
    let driver;
    let proxy;
    let server;
    let page;
    before(async () => {
      [driver, proxy, server] = await Promise.all([start(), startKlarnaProxy(), startServer()]);
      proxy.answer(serveFake);
    });
    afterEach(() => page?.close());
    after(async () => {
      await driver?.stop();
      await Promise.all([proxy?.stop(), server?.close()]);
    });

    it("Element Click on Klarna's option selects it; on the card's radio, it selects the card again", async () => {
      const browser = await remote({
        ...WEBDRIVER_OPTIONS,
        hostname: driver.hostname,
        port: driver.port,
        capabilities: driver.capabilities(proxyArgs(proxy)),
      });
      page = webDriverPage(browser);
      await browser.url(`${server.url}/test/e2e/pages/checkout.html`);
      // as a merchant's suite finds it: into the element's shadow root, to Klarna's (standard) option
      const radio = await browser.$('pay-with-klarna').shadow$('#standard-radio');
      await radio.waitForDisplayed();
      await radio.click();
      assert.equal(await radio.getAttribute('aria-checked'), 'true');
      const card = await browser.$('input[value=card]');
      assert.equal(await card.isSelected(), false);
      await card.click();
      assert.deepEqual([await card.isSelected(), await radio.getAttribute('aria-checked')], [true, 'false']);
    });
  });
}

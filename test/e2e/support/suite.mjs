import { after, before } from 'node:test';
import { launch } from './browser.mjs';
import { startServer } from './server.mjs';

/** One Chromium and one page server for the enclosing describe(); both closed after it. */
export function useBrowserAndServer() {
  const shared = {};
  before(async () => {
    [shared.browser, shared.server] = await Promise.all([launch(), startServer()]);
  });
  after(async () => {
    await Promise.all([shared.browser?.close(), shared.server?.close()]);
  });
  return shared;
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackend, startSimulator } from '../../../demo/server/main.ts';

export const SECRETS_OF = (sim) => [sim.apiKey, sim.secret];

/**
 * The storefront as `npm start` runs it offline, on free ports of 127.0.0.1: the Klarna simulator
 * and the reference backend with its own embedded database in a fresh directory.
 */
export async function startShop({ dataDir = mkdtempSync(join(tmpdir(), 'pwk-shop-')), port = 0, simulator, log = () => {} } = {}) {
  const sim = simulator ?? (await startSimulator({ retryDelaysMs: [300, 600, 1200, 2400, 4800], webhookDelayMs: 2500 }));
  const signingKeys = new Map([[sim.signingKeyId, sim.secret]]);
  const backend = await startShop.backend({ sim, dataDir, port, log, signingKeys });
  return {
    sim,
    backend,
    /** The backend's webhook signing keys: tests add and remove keys as a rotation would. */
    signingKeys,
    dataDir,
    get url() {
      return backend.url;
    },
    /** Stops the backend only, as a crash or a deploy would; the simulator keeps running. */
    async restartBackend(gapMs, whileDown = async () => {}) {
      const { port: samePort } = new URL(backend.url);
      await backend.stop();
      await whileDown();
      await new Promise((resolve) => setTimeout(resolve, gapMs));
      Object.assign(backend, await startShop.backend({ sim, dataDir, port: Number(samePort), log, signingKeys }));
    },
    async stop() {
      await backend.stop();
      if (!simulator) await sim.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

startShop.backend = async ({ sim, dataDir, port, log, signingKeys }) => {
  const backend = await startBackend({
    port,
    dataDir,
    mode: 'simulator',
    simulatorUrl: sim.url,
    klarna: {
      baseUrl: sim.url,
      apiKey: sim.apiKey,
      partnerAccountId: 'krn:partner:global:account:test:SIMULATE',
      clientId: 'klarna_test_client_offline_simulator',
      signingKeys,
      retryDelaysMs: [50, 100],
      timeoutMs: 2000,
    },
    sweepMs: 60_000,
    log,
  });
  sim.webhookUrl = `${backend.url}/api/klarna/webhooks`;
  return backend;
};

/** Final authorizations the simulator received: Payment Authorize calls carrying a completion token. */
export const finalAuthorizations = (sim) =>
  sim.simulator.log.filter((call) => call.path.endsWith('/payment/authorize') && call.headers['klarna-network-session-token'].includes(':fin.'));

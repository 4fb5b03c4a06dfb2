/** Klarna's webhooks: verified over the raw bytes, acknowledged at once, processed once per event id. */
import type { Hono } from 'hono';
import type { BackendConfig } from '../backend-config.js';
import { WEBHOOK_PATH, storable } from '../http.js';
import type { Payments } from '../payments.js';
import { verifyWebhookSignature } from '../signing.js';

/** The event's fields that reach the database: [name, value, required]. */
const storedFields = (metadata: any, payload: any): Array<[string, unknown, boolean]> => [
  ['metadata.event_id', metadata.event_id, true],
  ['metadata.event_type', metadata.event_type, true],
  ['payload.payment_request_id', payload?.payment_request_id, false],
];

export function webhookRoutes(app: Hono, payments: Payments, config: BackendConfig) {
  const log = config.log ?? ((line: string) => console.log(line));
  app.post(WEBHOOK_PATH, async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const signature = c.req.header('klarna-signature');
    const check = verifyWebhookSignature(raw, signature, c.req.header('klarna-signing-key-id'), config.signingKeys);
    if (!check.ok) {
      log(`webhook refused: ${check.reason}`);
      return c.json({ error: check.reason }, 400);
    }
    let event: any;
    try {
      event = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      return c.json({ error: 'the body is not JSON' }, 400);
    }
    const { metadata, payload } = event ?? {};
    if (typeof metadata?.event_id !== 'string' || typeof metadata?.event_type !== 'string') {
      return c.json({ error: 'metadata.event_id and metadata.event_type are required' }, 400);
    }
    // Signed by Klarna, and still checked before anything of it reaches the database.
    for (const [field, value, required] of storedFields(metadata, payload)) {
      if ((value === undefined || value === null) && !required) continue;
      if (typeof value !== 'string' || !value || value.length > 1000 || !storable(value)) {
        log(`webhook refused: ${field} is not text the shop can store`);
        const error = `${field} must be a non-empty string without NUL characters or lone surrogates`;
        return c.json({ error, field }, 400);
      }
    }
    if (metadata.live !== config.live) {
      const environment = config.live ? 'live' : 'test';
      log(
        `webhook refused: live=${metadata.live} does not match this ${environment} environment ` +
          `(event ${metadata.event_id})`,
      );
      return c.json({ error: 'live flag does not match this environment' }, 400);
    }
    const received = await payments.receiveWebhook({ metadata, payload });
    if (received.duplicate) return c.json({ received: true, duplicate: true });
    config.track?.(received.handling);
    return c.json({ received: true });
  });
}

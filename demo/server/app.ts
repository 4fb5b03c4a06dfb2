/**
 * The reference backend's HTTP surface, as framework-agnostic Hono handlers: the shared checks
 * (http.ts), then the routes by resource. Each route parses its request, calls one Payments
 * method, and maps the outcome to HTTP; every decision about an order is Payments'.
 */
import { Hono } from 'hono';
import type { BackendConfig } from './backend-config.js';
import { guard } from './http.js';
import type { Payments } from './payments.js';
import { chargeRoutes } from './routes/charges.js';
import { initiateRoutes } from './routes/initiate.js';
import { orderRoutes } from './routes/orders.js';
import { storefrontRoutes } from './routes/storefront.js';
import { webhookRoutes } from './routes/webhooks.js';
import type { Store } from './store.js'; // its Idempotency-Keys (idempotency.ts)

export type { BackendConfig } from './backend-config.js';

export function createApp(store: Store, payments: Payments, config: BackendConfig) {
  const app = new Hono();
  guard(app, { publicUrl: config.publicUrl, log: config.log ?? ((line: string) => console.log(line)) });
  orderRoutes(app, payments, config);
  initiateRoutes(app, payments, store, config);
  webhookRoutes(app, payments, config);
  chargeRoutes(app, payments, store, config);
  storefrontRoutes(app, payments, config);
  return app;
}

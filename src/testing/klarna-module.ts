/**
 * The testing kit's fake in the shape of Klarna's own module, for pages that intercept
 * https://js.klarna.com/web-sdk/v2/klarna.mjs at the network layer and serve this file instead.
 * Configure it before the page loads it: globalThis[Symbol.for('pay-with-klarna.fake-options')] = { … }.
 * The fake itself is then at globalThis[Symbol.for('pay-with-klarna.fake')].
 */
import { FakeKlarna, type FakeKlarnaOptions } from './fake-klarna.js';
import type { SdkConfig } from '../sdk/types.js';

const FAKE_KEY = Symbol.for('pay-with-klarna.fake');
const OPTIONS_KEY = Symbol.for('pay-with-klarna.fake-options');

function sharedFake(): FakeKlarna {
  const holder = globalThis as { [FAKE_KEY]?: FakeKlarna; [OPTIONS_KEY]?: FakeKlarnaOptions };
  return (holder[FAKE_KEY] ??= new FakeKlarna(holder[OPTIONS_KEY] ?? {}));
}

export function KlarnaSDK(config: SdkConfig) {
  return sharedFake().module.KlarnaSDK(config);
}

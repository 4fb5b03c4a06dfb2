// @vitest-environment jsdom
// jsdom has no ElementInternals form association and no custom states.
import { it } from 'vitest';
import { reportsUnsupportedOnce, title } from './unsupported-environment.js';

it(title, reportsUnsupportedOnce);

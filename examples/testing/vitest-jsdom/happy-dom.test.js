// @vitest-environment happy-dom
// happy-dom has no ElementInternals (attachInternals) and no custom states.
import { it } from 'vitest';
import { reportsUnsupportedOnce, title } from './unsupported-environment.js';

it(title, reportsUnsupportedOnce);

// Vitest in Node with a simulated DOM: jsdom, and happy-dom (each test file names its environment).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { root: import.meta.dirname, include: ['*.test.js'] },
});

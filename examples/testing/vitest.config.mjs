// Runs both Vitest examples at once (the test command does): each directory's config stands alone.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['vitest-browser/vitest.config.mjs', 'vitest-jsdom/vitest.config.mjs'].map((config) =>
      fileURLToPath(new URL(config, import.meta.url)),
    ),
  },
});

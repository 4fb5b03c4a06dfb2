import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { packedFiles } from './support/package.mjs';

const publicDir = fileURLToPath(new URL('../../public/', import.meta.url));

describe('the npm package', () => {
  it("ships none of the demo's images (screenshots, product pictures)", () => {
    const demoImages = readdirSync(publicDir, { recursive: true }).filter((name) => /\.(png|svg|jpe?g|webp|gif)$/.test(name));
    assert.ok(demoImages.length > 0, 'public/ has the demo images this test looks for');
    const packed = packedFiles();
    assert.deepEqual(packed.filter((path) => /\.(png|svg|jpe?g|webp|gif|avif)$/i.test(path)), [], 'images in the package');
    assert.deepEqual(packed.filter((path) => demoImages.some((image) => path.endsWith(image.replaceAll('\\', '/')))), []);
  });

  it('still ships what a page serves itself: the script-tag bundle and the fake SDK', () => {
    for (const file of ['dist/pay-with-klarna.js', 'dist/klarna-fake.mjs']) assert.ok(packedFiles().includes(file), `${file} is missing`);
  });
});

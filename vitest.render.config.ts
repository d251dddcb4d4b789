import { defineConfig } from 'vitest/config';

// The render checks (`npm run test:render`): worklists printed through LibreOffice, measured
// from the PDF. Not part of `npm test` (vitest.config.ts includes *.test.ts only): they need
// libreoffice-calc-nogui, fonts-noto-cjk and poppler-utils, which CI does not have.
export default defineConfig({
  test: {
    include: ['test/render/**/*.render.ts'],
    env: { TZ: 'Asia/Shanghai' },
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});

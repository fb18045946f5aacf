import { defineConfig } from 'vitest/config';

// One project per package, so one `pnpm test` runs everything and the report says which package failed. Tests named
// `*.long.test.ts` (hundreds of MB, a thousand seeds) run only with `pnpm test:long` (vitest.long.config.ts).
export default defineConfig({
  test: {
    projects: ['packages/core', 'packages/scenarios', 'packages/cli'].map((root) => ({
      extends: true,
      test: {
        name: root.split('/')[1]!,
        root,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        exclude: ['**/node_modules/**', '**/*.long.test.ts'],
        testTimeout: 60_000,
        // REPLSTORM_SEED reaches every fast-check property, those that name no seed included.
        setupFiles: ['../../scripts/vitestSetup.ts'],
      },
    })),
  },
});

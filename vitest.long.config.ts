import { defineConfig } from 'vitest/config';

// `pnpm test:long`: the long tests only (not in CI's default run).
export default defineConfig({
  test: {
    projects: ['packages/core', 'packages/scenarios', 'packages/cli'].map((root) => ({
      extends: true,
      test: { name: `${root.split('/')[1]!}-long`, root, include: ['src/**/*.long.test.ts', 'test/**/*.long.test.ts'], testTimeout: 1_800_000, setupFiles: ['../../scripts/vitestSetup.ts'] },
    })),
  },
});

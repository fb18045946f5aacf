import { defineConfig } from 'vitest/config';

// One project per package, so one `pnpm test` runs everything and the report says which package failed.
export default defineConfig({
  test: {
    projects: ['packages/core', 'packages/scenarios', 'packages/cli'].map((root) => ({
      extends: true,
      test: { name: root.split('/')[1]!, root, include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
    })),
  },
});

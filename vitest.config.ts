import { defineConfig } from 'vitest/config';

// Two cores: two workers in separate processes (PGlite and the AWS SDK hold native/global state).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});

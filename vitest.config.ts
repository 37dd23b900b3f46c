import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration tests share the machine's Redis and PostgreSQL; files still run in parallel
    // because each uses its own key prefix / schema.
    fileParallelism: true,
    maxWorkers: 2,
  },
});

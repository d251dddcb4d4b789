import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Nothing may depend on the machine's zone or today's date.
    env: { TZ: 'Asia/Shanghai' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default on a 2-core machine is one worker; most test time is waiting on DuckDB
    // and child processes, so two files at a time use the machine (CI's included) better.
    maxWorkers: 2,
  },
});

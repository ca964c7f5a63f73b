import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: {
    // Tests import the package by name; point it at the sources so in-process jobs share one module instance.
    alias: { tsflink: fileURLToPath(new URL('./runtime/index.ts', import.meta.url)) },
  },
  test: {
    include: ['runtime/**/*.test.ts', 'cli/**/*.test.ts', 'hdfs/**/*.test.ts', 'yarn-am/**/*.test.ts', 'integration/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});

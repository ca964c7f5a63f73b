import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const alias = {
  // Tests import the package by name; point it at the sources so in-process jobs share one module instance.
  tsflink: fileURLToPath(new URL('./runtime/index.ts', import.meta.url)),
};

export default defineConfig({
  resolve: { alias },
  test: {
    pool: 'forks',
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          setupFiles: ['runtime/testing/registerLocalExecutor.ts'],
          sequence: { groupOrder: 0 },
          include: ['runtime/**/*.test.ts', 'cli/**/*.test.ts', 'hdfs/**/*.test.ts', 'yarn-am/**/*.test.ts', 'examples/**/*.test.ts', 'bench/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          pool: 'forks',
        },
      },
      {
        resolve: { alias },
        test: {
          // Real Hadoop minicluster (started once by the global setup, reused if already running).
          name: 'integration',
          setupFiles: ['runtime/testing/registerLocalExecutor.ts'],
          include: ['integration/**/*.test.ts'],
          // After the unit project, so timing-sensitive unit tests never share the 2 cores with Hadoop traffic.
          sequence: { groupOrder: 1 },
          globalSetup: ['integration/hadoop/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: 'forks',
        },
      },
    ],
  },
});

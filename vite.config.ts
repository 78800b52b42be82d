import { defineConfig } from 'vitest/config';

// Kernel tests share one GPU device per file and SwiftShader is CPU-bound on 2 cores,
// so files run one at a time rather than fighting for the same cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});

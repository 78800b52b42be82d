import { defineConfig } from 'vitest/config';

export default defineConfig(({ mode }) => {
  if (mode === 'cli') {
    // The Node CLI and bench runners: ESM with the WGSL inlined; npm dependencies stay external.
    return {
      build: {
        ssr: true,
        outDir: 'dist/cli',
        emptyOutDir: true,
        target: 'node20',
        rollupOptions: { input: { main: 'src/cli/main.ts', 'bench-step': 'bench/step.ts' }, output: { entryFileNames: '[name].js' } },
      },
    };
  }
  return {
    test: {
      include: ['test/**/*.test.ts'],
      globalSetup: ['test/setup.ts'],
      // Kernel tests each hold a device and SwiftShader is CPU-bound on 2 cores: one file at a time.
      fileParallelism: false,
      testTimeout: 300_000,
      hookTimeout: 120_000,
    },
  };
});

import { defineConfig } from 'vitest/config';

export default defineConfig(({ mode }) => {
  if (mode === 'cli') {
    // The Node CLI: one ESM file with the WGSL inlined; npm dependencies stay external.
    return {
      build: {
        ssr: 'src/cli/main.ts',
        outDir: 'dist/cli',
        emptyOutDir: true,
        target: 'node20',
        rollupOptions: { output: { entryFileNames: 'main.js' } },
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

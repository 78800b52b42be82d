import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vitest/config';

const PAGES = ['index', 'train', 'bench', 'draw'];

/** `npm run dev` serves the data sets beside the pages: data/<set>/<file>[.gz] from MNIST_DIR or data/mnist. */
function serveData(): Plugin {
  const dirs: Record<string, string> = {
    mnist: process.env.MNIST_DIR ?? resolve('data/mnist'),
    fashion: process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist',
  };
  return {
    name: 'webgpu-cnn-data',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0];
        if (!url.startsWith('/data/')) return next();
        const m = /^\/data\/(mnist|fashion)\/([a-z0-9-]+(?:\.gz)?)$/.exec(url);
        // The plain name may answer with the .gz bytes: the page recognises gzip by its magic.
        const file = m && [join(dirs[m[1]], m[2]), join(dirs[m[1]], `${m[2]}.gz`)].find((f) => existsSync(f));
        // A 404, not Vite's index.html fallback.
        if (!file) { res.statusCode = 404; res.end('not found'); return; }
        res.setHeader('content-type', 'application/octet-stream');
        res.end(readFileSync(file));
      });
    },
  };
}

export default defineConfig(({ mode }) => {
  if (mode === 'cli') {
    // The Node CLI and bench runners: ESM with the WGSL inlined; npm dependencies stay external.
    return {
      build: {
        ssr: true,
        outDir: 'dist/cli',
        emptyOutDir: true,
        target: 'node20',
        rollupOptions: { input: { main: 'src/cli/main.ts', 'bench-step': 'bench/step.ts', 'bench-compare': 'bench/compare.ts', 'bench-memory': 'bench/memory.ts' }, output: { entryFileNames: '[name].js' } },
      },
    };
  }
  if (mode === 'peer') {
    // bench/tfjs: the TF.js peer page (TF.js is a devDependency used only here), built after the pages
    // into dist/web/tfjs/ so the benchmark page and bench/compare.ts find it beside bench.html.
    return {
      root: 'bench/tfjs',
      base: './',
      publicDir: false,
      build: { outDir: resolve('dist/web/tfjs'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
    };
  }
  if (mode === 'test') {
    return {
      test: {
        include: ['test/**/*.test.ts'],
        globalSetup: ['test/setup.ts'],
        // Kernel tests each hold a device and SwiftShader is CPU-bound on 2 cores: one file at a time.
        fileParallelism: false,
        testTimeout: 300_000,
        hookTimeout: 300_000,
      },
    };
  }
  // The pages (npm run dev / npm run build): same engine modules, bundled for the browser.
  return {
    root: 'src/web',
    base: './',
    publicDir: false,
    plugins: [serveData()],
    build: {
      outDir: resolve('dist/web'),
      emptyOutDir: true,
      target: 'es2022',
      rollupOptions: { input: Object.fromEntries(PAGES.map((p) => [p, resolve('src/web', `${p}.html`)])) },
    },
  };
});

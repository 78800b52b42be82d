// The browser runtime: the built pages served on 127.0.0.1, driven in headless Chromium
// (WebGPU on) through Playwright; each page exposes window.cnn and reports through window.cnnReport.
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './args.js';

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];
export const CHROMIUM_ARGS = ['--enable-unsafe-webgpu', '--enable-webgpu-developer-features', '--no-sandbox', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** --chromium, else CHROMIUM_PATH, else the usual install paths; one line saying what to install when none. */
export function findChromium(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = explicit ?? env.CHROMIUM_PATH;
  if (given) {
    if (!existsSync(given)) throw new UsageError(`${given}: Chromium not found (from ${explicit ? '--chromium' : 'CHROMIUM_PATH'})`);
    return given;
  }
  const found = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new UsageError(`no Chromium found (looked in ${CHROMIUM_CANDIDATES.join(', ')}): install it (Debian/Ubuntu: apt-get install -y chromium) or pass --chromium /path`);
  return found;
}

/** dist/web beside the bundled CLI (or in any parent's dist/ when run from sources). */
export function pagesDir(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let d = from; ; d = dirname(d)) {
    for (const c of [join(d, 'web'), join(d, 'dist', 'web')]) if (basename(dirname(c)) !== 'src' && existsSync(join(c, 'train.html'))) return c;
    if (dirname(d) === d) break;
  }
  throw new UsageError('the browser pages are not built: run npm run build first');
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.wasm': 'application/wasm' };

/** Static files from `root` plus in-memory data files at /data/<path>; 127.0.0.1 only, no traversal. */
export async function serve(root: string, data: Map<string, Uint8Array> = new Map(), opts: { isolate?: boolean } = {}): Promise<{ url: string; close(): Promise<void> }> {
  // Cross-origin isolation lets wasm peers in bench/ use threads (SharedArrayBuffer).
  const iso = opts.isolate ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const mem = data.get(path);
    if (mem) { res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': mem.length }); res.end(mem); return; }
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...iso });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(0, '127.0.0.1', ok); });
  const port = (server.address() as { port: number }).port;
  // localhost, not 127.0.0.1, in the URL: it is a secure context, which WebGPU requires.
  return { url: `http://localhost:${port}/`, close: () => new Promise((ok) => server.close(() => ok())) };
}

export interface BrowserPage {
  /** Calls window.cnn[method](arg) in the page and returns its (JSON-serialisable) result. */
  call<T>(method: string, arg: unknown): Promise<T>;
  screenshot(path: string): Promise<void>;
  readonly chromium: string;
  readonly version: string;
  close(): Promise<void>;
}

export interface OpenOptions { chromium?: string; data?: Map<string, Uint8Array>; onReport?: (msg: Record<string, unknown>) => void; onConsoleError?: (text: string) => void }

/** First line of a Playwright error, without its "page.evaluate: Error:" prefix. */
export const pageErrorLine = (e: Error) => e.message.split('\n')[0].replace(/^[\w.]+: (Error: )?/, '');

export async function openPage(page: string, opts: OpenOptions = {}): Promise<BrowserPage> {
  const exe = findChromium(opts.chromium);
  const root = resolve(pagesDir());
  const { chromium } = await import('playwright-core');
  const server = await serve(root, opts.data);
  const browser = await chromium.launch({ executablePath: exe, args: CHROMIUM_ARGS, headless: true }).catch(async (e: Error) => {
    await server.close();
    throw new Error(`could not start ${exe}: ${pageErrorLine(e)}`);
  });
  const close = async () => { await browser.close(); await server.close(); };
  try {
    const p = await browser.newPage();
    p.on('console', (m) => { if (m.type() === 'error') opts.onConsoleError?.(m.text()); });
    p.on('pageerror', (e) => opts.onConsoleError?.(e.message));
    await p.exposeFunction('cnnReport', (json: string) => opts.onReport?.(JSON.parse(json)));
    await p.goto(`${server.url}${page}`);
    await p.waitForFunction(() => (window as unknown as { cnn?: unknown }).cnn !== undefined, null, { timeout: 60_000 });
    const err = await p.evaluate(() => (window as unknown as { cnn: { error?: string } }).cnn.error);
    if (err) throw new Error(`${exe}: ${err} in the page (${await p.locator('#no-webgpu, #status').first().textContent()})`);
    return {
      chromium: exe, version: browser.version(), close,
      call: <T>(method: string, arg: unknown) => p.evaluate(([m, a]) => (window as unknown as { cnn: Record<string, (x: unknown) => Promise<unknown>> }).cnn[m as string](a), [method, arg] as const)
        .catch((e: Error) => { throw new Error(pageErrorLine(e)); }) as Promise<T>,
      screenshot: async (path) => { await p.screenshot({ path, fullPage: true }); },
    };
  } catch (e) {
    await close();
    throw e;
  }
}

// The page tests' shared setup: the built pages served on localhost (with MNIST subsets when asked),
// headless Chromium (Playwright) on its SwiftShader, and pages opened with their errors collected.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadDir } from '../../src/data/mnist.js';
import { take } from '../../src/data/idx.js';
import { dataFiles } from '../../src/cli/browser_train.js';
import { CHROMIUM_ARGS, findChromium, pagesDir, serve } from '../../src/cli/runtime.js';

export const SHOTS = resolve('dist/screenshots');

export interface Pages { browser: Browser; url: string; close(): Promise<void> }

/** Serves dist's pages (the first `data.train`/`data.test` MNIST images as the page's data set) and starts Chromium. */
export async function startPages(data?: { train: number; test: number }): Promise<Pages> {
  mkdirSync(SHOTS, { recursive: true });
  let files: Map<string, Uint8Array> | undefined;
  if (data) {
    if (!process.env.MNIST_DIR) throw new Error('MNIST_DIR is not set; run with MNIST_DIR=../shared/data/mnist (as .ci/run does)');
    const full = await loadDir(process.env.MNIST_DIR);
    files = dataFiles('mnist', { source: 'test', train: take(full.train, data.train), test: take(full.test, data.test) });
  }
  const server = await serve(resolve(pagesDir(resolve('dist/cli'))), files);
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
  return { browser, url: server.url, close: async () => { await browser.close(); await server.close(); } };
}

export interface Opened { page: Page; errors: string[]; reports: Array<{ type: string; [k: string]: unknown }> }

/**
 * `path` with its console errors, uncaught exceptions and reports (window.cnnReport) collected;
 * waits for the page's window.cnn (every page but index.html sets it once WebGPU is up or missing).
 */
export async function openPage(p: Pages, path: string, context?: BrowserContext): Promise<Opened> {
  const page = await (context ?? p.browser).newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [], reports: Opened['reports'] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.exposeFunction('cnnReport', (json: string) => { reports.push(JSON.parse(json)); });
  await page.goto(`${p.url}${path}`);
  if (path !== 'index.html') await page.waitForFunction(() => (window as unknown as { cnn?: unknown }).cnn !== undefined, null, { timeout: 60_000 });
  return { page, errors, reports };
}

// The benchmark page's "Validate kernels" button in headless Chromium on SwiftShader: selftest on
// the page's adapter, every line on the page, all cases passing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium, pagesDir, serve } from '../../src/cli/runtime.js';
import { selftestCases } from '../../src/selftest/run.js';

const SHOTS = resolve('dist/screenshots');
let browser: Browser;
let server: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await serve(resolve(pagesDir(resolve('dist/cli'))));
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('bench page: Validate kernels', () => {
  it('runs every kernel version and each preset\'s step on the page\'s adapter; all pass', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}bench.html`);
    await page.waitForFunction(() => (window as unknown as { cnn?: unknown }).cnn !== undefined, null, { timeout: 60_000 });
    await page.click('#validate');
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 300_000, interval: 1000 }).toMatch(/^(validation|error)/);
    await page.screenshot({ path: join(SHOTS, 'bench-validate.png'), fullPage: true });
    const lines = (await page.locator('#selftest').textContent())!.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^adapter: .*swiftshader/i);
    expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(lines.at(-1)).toBe(`${selftestCases().length} passed, 0 failed`);
    expect(await page.locator('#status').textContent()).toBe(`validation: all ${selftestCases().length} cases passed`);
    expect(errors).toEqual([]);
    await page.close();
  });
});

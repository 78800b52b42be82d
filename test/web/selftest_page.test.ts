// The benchmark page's "Validate kernels" button in headless Chromium on SwiftShader: selftest on
// the page's adapter, every line on the page, all cases passing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { selftestCases } from '../../src/selftest/run.js';
import { openPage, SHOTS, startPages, type Pages } from '../helpers/pages.js';

let pages: Pages;
beforeAll(async () => { pages = await startPages(); });
afterAll(async () => { await pages?.close(); });

describe('bench page: Validate kernels', () => {
  it('runs every kernel version and each preset\'s step on the page\'s adapter; all pass', async () => {
    const { page, errors } = await openPage(pages, 'bench.html');
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

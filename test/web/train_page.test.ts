// The train page in headless Chromium on SwiftShader (Playwright): the recipe fills the form, a bad
// field is one line, a run from the form trains and shows filters and a confusion matrix, and a
// target accuracy gives the CLI's time-to-accuracy line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { openPage, SHOTS, startPages, type Opened, type Pages } from '../helpers/pages.js';

let pages: Pages;
const open = (context?: BrowserContext): Promise<Opened> => openPage(pages, 'train.html', context);

const status = (page: Page) => page.locator('#status').textContent();
const values = (page: Page, names: string[]) => Promise.all(names.map((n) => page.locator(`[name=${n}]`).inputValue()));
const RECIPE = ['epochs', 'batch', 'lr', 'optimizer', 'schedule', 'augment', 'label-smoothing'];

async function fill(page: Page, fields: Record<string, string>): Promise<void> {
  for (const [k, v] of Object.entries(fields)) await page.fill(`input[name=${k}]`, v);
}

async function runToEnd(page: Page): Promise<string> {
  await page.click('#start');
  await expect.poll(() => status(page), { timeout: 240_000, interval: 1000 }).toMatch(/^(done|error)/);
  return (await status(page))!;
}

beforeAll(async () => { pages = await startPages({ train: 1280, test: 200 }); });
afterAll(async () => { await pages?.close(); });

describe('train page', () => {
  it('opens with the bncnn recipe, fills each model\'s recipe on change, keeps edits, and says which models suit a CPU', async () => {
    const { page, errors } = await open();
    expect(await page.locator('[name=model]').inputValue()).toBe('bncnn');
    expect(await values(page, RECIPE)).toEqual(['8', '128', '0.005', 'adam', 'onecycle', '1', '0.1']);
    await expect.poll(() => status(page)).toMatch(/^ready; this is a CPU adapter: lenet or fast finish in minutes here/);
    await page.selectOption('select[name=model]', 'fast');
    expect(await values(page, RECIPE)).toEqual(['1', '256', '0.01', 'adam', 'onecycle', '0', '0']);
    // No lr in lenet's recipe: the CLI's default for Adam.
    await page.selectOption('select[name=model]', 'lenet');
    expect(await values(page, RECIPE)).toEqual(['10', '64', '0.001', 'adam', 'cosine', '0', '0']);
    await fill(page, { epochs: '2', lr: '0.003' });
    await page.selectOption('select[name=schedule]', 'step');
    expect(await values(page, RECIPE)).toEqual(['2', '64', '0.003', 'adam', 'step', '0', '0']);
    await page.selectOption('select[name=model]', 'cnn');
    expect(await values(page, RECIPE)).toEqual(['15', '64', '0.001', 'adam', 'cosine', '1', '0']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a wrong field is one line in the status naming it, and nothing starts', async () => {
    const { page, errors, reports } = await open();
    const cases: Array<[Record<string, string>, string]> = [
      [{ epochs: '0' }, 'epochs must be a positive integer, got 0'],
      [{ epochs: '' }, 'epochs needs a value'],
      [{ lr: '0' }, 'learning rate must be > 0, got 0'],
      [{ 'label-smoothing': '1' }, 'label smoothing must be in [0, 1), got 1'],
      [{ 'target-acc': '150' }, 'target test accuracy % must be a test accuracy in percent, in (0, 100], got 150'],
      [{ 'eval-every': '0' }, 'test every N steps must be a positive integer, got 0'],
      [{ 'train-limit': '-5' }, 'training images must be an integer >= 0, got -5'],
    ];
    for (const [bad, message] of cases) {
      await page.selectOption('select[name=model]', 'lenet');
      await fill(page, bad);
      await page.click('#start');
      expect(await status(page)).toBe(message);
      expect(await page.locator('#status').getAttribute('class')).toBe('error');
      await fill(page, { 'target-acc': '', 'eval-every': '', 'train-limit': '0' });
    }
    expect(reports).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('trains a LeNet from the form, the loss falls, then shows filters and a confusion matrix', async () => {
    const context = await pages.browser.newContext();
    const { page, errors, reports } = await open(context);
    await page.selectOption('select[name=model]', 'lenet');
    await fill(page, { epochs: '1', 'log-every': '4', lr: '0.003' });
    expect(await runToEnd(page)).toMatch(/^done: test accuracy/);
    await page.screenshot({ path: join(SHOTS, 'train-done.png'), fullPage: true });
    const losses = reports.filter((m) => m.type === 'progress').map((m) => (m.p as { loss: number }).loss);
    expect(losses.length).toBe(5);
    expect(losses.at(-1)!).toBeLessThan(0.75 * losses[0]);
    // No target: one test evaluation, at the epoch's end, and no time-to line.
    expect(reports.filter((m) => m.type === 'eval').length).toBe(1);
    expect(await page.locator('#target').textContent()).toBe('');
    expect(await page.locator('#filters canvas').count()).toBe(6);
    const cells = await page.locator('#confusion-table td').allTextContents();
    expect(cells.length).toBe(100);
    expect(cells.reduce((s, c) => s + Number(c), 0)).toBe(200);
    const [file] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(file.suggestedFilename()).toBe('lenet.safetensors');
    expect(errors).toEqual([]);
    // The draw page in the same profile finds the model through IndexedDB.
    const draw = await context.newPage();
    await draw.goto(`${pages.url}draw.html`);
    await expect.poll(() => draw.locator('#model-name').textContent(), { timeout: 60_000 }).toMatch(/from the train page \(lenet\)/);
    await context.close();
  });

  it('with a target accuracy: stops at the evaluation that reaches it and shows time to accuracy; a target it misses says so', async () => {
    const { page, errors, reports } = await open();
    await page.selectOption('select[name=model]', 'lenet');
    await fill(page, { epochs: '1', 'log-every': '5', lr: '0.003', 'target-acc': '50', 'eval-every': '5' });
    expect(await runToEnd(page)).toMatch(/^done: test accuracy/);
    await page.screenshot({ path: join(SHOTS, 'train-target.png'), fullPage: true });
    const evals = reports.filter((m) => m.type === 'eval').map((m) => m.p as { step: number; acc: number });
    const hit = evals.findIndex((e) => e.acc >= 0.5);
    // Every evaluation came every 5 steps of the 20 in the epoch, and the run stopped at the first that reached 50%.
    expect(hit).toBe(evals.length - 1);
    expect(evals.map((e) => e.step)).toEqual(evals.map((_, i) => 5 * (i + 1)));
    const lines = (await page.locator('#target').textContent())!.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^time to 50\\.00%: [\\d.]+ s of training \\(reached ${(100 * evals[hit].acc).toFixed(2)}% at epoch 1, step ${evals[hit].step}/20, after [\\d,]+ images; ${evals.length} test evaluations? included, [\\d.]+ s; data upload and pipelines not\\)$`));
    expect(lines[1]).toMatch(/^data upload: [\d.]+ s \(1,280 training and 200 test images, once\)$/);
    expect(lines[2]).toMatch(/^pipelines: [\d.]+ s/);

    // Four steps cannot reach 100%: the line says so, with the best evaluation.
    await fill(page, { 'train-limit': '256', 'target-acc': '100', 'eval-every': '2' });
    expect(await runToEnd(page)).toMatch(/^done: test accuracy/);
    expect(await page.locator('#target').textContent()).toMatch(/^did not reach 100\.00% test accuracy \(best [\d.]+%, epoch 1\)\n/);
    expect(errors).toEqual([]);
    await page.close();
  });
});

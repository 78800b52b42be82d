// The pages in headless Chromium on SwiftShader (Playwright): each loads cleanly, `train --runtime
// browser` matches the Node runtime, the draw page reads drawn digits (train page runs: train_page.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findChromium } from '../../src/cli/runtime.js';
import { openPage, SHOTS, startPages, type Opened, type Pages } from '../helpers/pages.js';

const CLI = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'cnn-web-'));
let pages: Pages;

function cli(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync('node', [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env }, timeout: 900_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr.split('\n').filter((l) => /^(error|adapter|runtime|page)/.test(l)).join('\n') };
}

const open = (path: string, context?: BrowserContext): Promise<Opened> => openPage(pages, path, context);

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm test builds it first (pretest)`);
  pages = await startPages({ train: 2560, test: 500 });
});
afterAll(async () => { await pages?.close(); });

describe('pages in headless Chromium', () => {
  it.each(['index.html', 'train.html', 'bench.html', 'draw.html'])('%s loads without console errors', async (path) => {
    const { page, errors } = await open(path);
    if (path !== 'index.html') await expect.poll(() => page.locator('#adapter').textContent()).toMatch(/swiftshader/i);
    await page.screenshot({ path: join(SHOTS, `load-${path.replace('.html', '')}.png`), fullPage: true });
    expect(errors).toEqual([]);
    expect(await page.locator('#no-webgpu').count()).toBe(0);
    await page.close();
  });

  it('bench page: times every registered kernel and a training step, draws the roofline and the timeline, runs the TF.js peer, exports the machine', async () => {
    const { page, errors } = await open('bench.html');
    await page.selectOption('#preset', 'tiny');
    for (const [k, v] of [['reps', '3'], ['batch', '8'], ['steps', '1']]) await page.fill(`input[name=${k}]`, v);
    await page.click('#run');
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 240_000, interval: 1000 }).toMatch(/^(done|error)/);
    expect(await page.locator('#status').textContent()).toMatch(/^done: \d+ kernels/);
    const kernels = await page.locator('#kernels tr td:first-child').allTextContents();
    const { BENCH_SIZES, caseNames } = await import('../../src/kernels/bench_cases.js');
    // WebGPU's default limits, which the page's device has at least: nothing at the tiny size needs more.
    const limits = { maxComputeWorkgroupsPerDimension: 65535, maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 28, maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256 };
    const ops = caseNames(limits, BENCH_SIZES.tiny);
    expect(kernels.sort()).toEqual(ops.sort());
    expect(await page.locator('#step').textContent()).toMatch(/ms\/step, \d+ images\/s/);

    // The TF.js peer on the same adapter, every backend, after ours.
    await page.check('#peer-form input[value=cpu]');
    await page.click('#peer-run');
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 240_000, interval: 1000 }).toMatch(/^(done: ours|error)/);
    expect(await page.locator('#status').textContent()).toBe('done: ours and TF.js webgpu, wasm, cpu on lenet, batch 8');
    const cells = await page.locator('#peer-table tr').evaluateAll((trs) => trs.slice(1).map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(cells.map((c) => c[0])).toEqual(['webgpu-cnn (ours)', 'TF.js webgpu', 'TF.js wasm', 'TF.js cpu']);
    for (const c of cells.slice(1)) {
      expect(Number(c[1])).toBeGreaterThan(0);
      expect(Number(c[2])).toBeGreaterThan(0);
      expect(c[3]).toMatch(/^\d+\.\d\dx$/);
    }

    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#json')]);
    const report = JSON.parse(readFileSync((await json.path())!, 'utf8'));
    expect(report.kernels.length).toBe(ops.length);
    expect(report.adapter).toMatch(/swiftshader/i);
    // What collects results across machines: engine version, browser, adapter info, limits, features.
    expect(report.engineVersion).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    expect(report.userAgent).toMatch(/Chrome\/\d+/);
    expect(report.adapterInfo.description).toMatch(/swiftshader/i);
    expect(report.limits.maxBufferSize).toBeGreaterThan(0);
    expect(report.limits.maxComputeWorkgroupSizeX).toBeGreaterThanOrEqual(256);
    expect(report.features).toContain('timestamp-query');
    expect(report.deviceLimits.maxStorageBufferBindingSize).toBe(report.limits.maxStorageBufferBindingSize);
    expect(report.peer.peers.map((p: { backend: string }) => p.backend)).toEqual(['webgpu', 'wasm', 'cpu']);
    for (const p of report.peer.peers) expect(p.imagesPerSec, p.error).toBeGreaterThan(0);
    expect(report.peer.ratios.wasm).toBeCloseTo(report.peer.ours.imagesPerSec / report.peer.peers[1].imagesPerSec, 6);

    // The roofline: one point per kernel with FLOPs, bytes and a time (sweep and step), under both roofs.
    const plotted = (rows: Array<{ flops: number; bytes: number; t: number }>) => rows.filter((r) => r.flops > 0 && r.bytes > 0 && r.t > 0).length;
    const sweep = plotted(report.kernels.map((k: { flops: number; bytes: number; medianUs: number }) => ({ ...k, t: k.medianUs })));
    const step = plotted(report.step.rows.map((r: { flops: number; bytes: number; us: number }) => ({ ...r, t: r.us })));
    expect(sweep).toBeGreaterThan(10);
    expect(step).toBeGreaterThan(5);
    expect(await page.locator('#roofline svg .point[data-series=sweep]').count()).toBe(sweep);
    expect(await page.locator('#roofline svg .point[data-series=step]').count()).toBe(step);
    expect(await page.locator('#roofline svg polyline.roof').count()).toBe(1);
    const roofText = await page.locator('#roofline svg').textContent();
    for (const t of ['arithmetic intensity (FLOP per byte moved, log scale)', 'achieved GFLOP/s (log scale)', 'copy ceiling:', 'GFLOP/s', 'kernel sweep', 'training step']) expect(roofText).toContain(t);
    // The timeline: one bar per dispatch of the profiled step, one lane per family.
    // How many depends on the versions autotune picks here (20 for LeNet with the fused ones).
    expect(report.step.spans.length).toBeGreaterThanOrEqual(20);
    expect(report.step.spans.length).toBeLessThanOrEqual(48);
    expect(await page.locator('#timeline svg rect.bar').count()).toBe(report.step.spans.length);
    const bars = await page.locator('#timeline svg rect.bar').evaluateAll((es) => es.map((e) => e.getAttribute('data-kernel')));
    expect(bars).toEqual(report.step.spans.map((s: { kernel: string }) => s.kernel));
    expect(await page.locator('#timeline svg').textContent()).toMatch(/GPU time from the step's first dispatch \((ms|µs)\)/);

    await page.screenshot({ path: join(SHOTS, 'bench-done.png'), fullPage: true });
    await page.locator('#roofline').screenshot({ path: join(SHOTS, 'bench-roofline.png') });
    await page.locator('#timeline').screenshot({ path: join(SHOTS, 'bench-timeline.png') });
    await page.locator('#peer-section').screenshot({ path: join(SHOTS, 'bench-peer.png') });
    const [trace] = await Promise.all([page.waitForEvent('download'), page.click('#trace')]);
    // A span per dispatch of the profiled step, plus the trace's metadata events.
    expect(JSON.parse(readFileSync((await trace.path())!, 'utf8')).traceEvents.length).toBeGreaterThan(report.step.spans.length);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a browser without WebGPU gets a message saying how to enable it, not a blank page', async () => {
    const plain = await chromium.launch({ executablePath: findChromium(), args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'] });
    const page = await plain.newPage();
    await page.goto(`${pages.url}train.html`);
    await expect.poll(() => page.locator('#no-webgpu').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.locator('#no-webgpu').textContent()).toMatch(/enable-unsafe-webgpu/);
    await page.screenshot({ path: join(SHOTS, 'no-webgpu.png') });
    await plain.close();
  });
});

describe('headless runtime and the draw page', () => {
  // Autotune off: both runtimes run the built-in versions, so the same seed gives the same run.
  const common = ['--model', 'lenet', '--train-limit', '4000', '--test-limit', '1000', '--epochs', '1', '--batch', '32', '--lr', '0.002', '--seed', '3', '--log-every', '25', '--autotune', 'off'];
  const acc = (out: string) => Number(/test acc ([\d.]+)%/.exec(out)?.[1]);
  const browserModel = join(dir, 'browser.safetensors');

  it('train --runtime browser reaches the same accuracy as the Node runtime for the same seed', () => {
    const b = cli('train', ...common, '--runtime', 'browser', '--out', browserModel);
    expect(b.code, b.err).toBe(0);
    expect(b.err).toMatch(/^runtime: browser, .*chromium/im);
    expect(b.err).toMatch(/^adapter: .*swiftshader.*\(in the browser\)/im);
    const n = cli('train', ...common, '--out', join(dir, 'node.safetensors'));
    expect(n.code, n.err).toBe(0);
    expect(acc(b.out)).toBeGreaterThan(85);
    expect(Math.abs(acc(b.out) - acc(n.out))).toBeLessThanOrEqual(0.5);
    expect(existsSync(join(dir, 'browser.ckpt.safetensors'))).toBe(true);
  });

  // Strokes in pad pixels (280x280), like a person drawing with a mouse.
  const DIGITS: Record<number, Array<Array<[number, number]>>> = {
    1: [[[150, 45], [145, 140], [140, 235]]],
    0: [Array.from({ length: 33 }, (_, i) => [140 + 62 * Math.sin((i * 2 * Math.PI) / 32), 140 - 92 * Math.cos((i * 2 * Math.PI) / 32)] as [number, number])],
    7: [[[70, 55], [210, 55], [170, 140], [125, 240]]],
  };

  async function draw(page: Page, digit: number): Promise<void> {
    const box = (await page.locator('#pad').boundingBox())!;
    for (const stroke of DIGITS[digit]) {
      await page.mouse.move(box.x + stroke[0][0], box.y + stroke[0][1]);
      await page.mouse.down();
      for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 8 });
      await page.mouse.up();
    }
  }

  it.each([1, 0, 7])('draw page: strokes of a %i are read as that digit by the browser-trained model', async (digit) => {
    const { page, errors } = await open('draw.html');
    await page.setInputFiles('#model-file', { name: 'browser.safetensors', mimeType: 'application/octet-stream', buffer: readFileSync(browserModel) });
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 60_000 }).toMatch(/^loaded/);
    await draw(page, digit);
    const r = await page.evaluate(() => (window as unknown as { cnn: { predict(): Promise<{ digit: number; probs: number[] } | null> } }).cnn.predict());
    await expect.poll(() => page.locator('#digit').textContent()).toBe(String(digit));
    await page.screenshot({ path: join(SHOTS, `draw-${digit}.png`) });
    expect(r?.digit).toBe(digit);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each([1, 0, 7])('draw page with no model of its own loads the pretrained LeNet and reads a drawn %i', async (digit) => {
    const context = await pages.browser.newContext({ viewport: { width: 1100, height: 900 } });
    const { page, errors } = await open('draw.html', context);
    await expect.poll(() => page.locator('#model-name').textContent(), { timeout: 60_000 }).toBe('the pretrained lenet-mnist.safetensors (lenet)');
    await draw(page, digit);
    const r = await page.evaluate(() => (window as unknown as { cnn: { predict(): Promise<{ digit: number } | null> } }).cnn.predict());
    if (digit === 7) await page.screenshot({ path: join(SHOTS, 'draw-pretrained-7.png') });
    expect(r?.digit).toBe(digit);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a missing Chromium is one line saying what to do', () => {
    const r = cli('train', '--runtime', 'browser', '--chromium', '/nonexistent/chromium', '--train-limit', '64', '--test-limit', '10', '--epochs', '1');
    expect(r.code).toBe(2);
    expect(r.err).toBe('error: /nonexistent/chromium: Chromium not found (from --chromium)');
  });

  it('profile prints the per-kernel table in both runtimes and writes a trace', () => {
    for (const runtime of ['node', 'browser']) {
      const trace = join(dir, `${runtime}.trace.json`);
      const r = cli('profile', '--runtime', runtime, '--model', 'lenet', '--batch', '8', '--steps', '2', '--trace', trace, '--autotune', 'off');
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/\| kernel \| calls\/step \| median µs\/step \| GFLOP\/s \| GB\/s \| % of step \|/);
      for (const k of ['conv2d.fwd.v4', 'conv2d.bwd_input.v4', 'conv2d.bwd_weight.v5', 'conv2d.bwd_weight_sum.v5', 'matmul.v5', 'softmax_xent.step.v2', 'optim.adam.v2']) expect(r.out).toMatch(new RegExp(`^\\| ${k.replace(/\./g, '\\.')} \\| \\d+ \\| \\d+ \\|`, 'm'));
      expect(r.out).toMatch(/^kernels: .*conv2d v5 \(built-in order\).*matmul v5 \(built-in order\).* \[autotune off\]$/m);
      expect(r.out).toMatch(/wall clock: [\d.]+ ms\/step, \d+ images\/s; CPU encode\+submit [\d.]+ ms\/step; 24 dispatches in 1 command buffer/);
      const t = JSON.parse(readFileSync(trace, 'utf8'));
      const events = t.traceEvents.filter((e: { ph: string }) => e.ph === 'X');
      // One span per dispatch of the traced step.
      expect(events.length).toBe(Number(/(\d+) dispatches in 1 command buffer/.exec(r.out)![1]));
      expect(events.every((e: { dur: number }) => e.dur >= 0)).toBe(true);
      expect(events.some((e: { name: string; dur: number }) => e.name === "conv2d.fwd.v4" && e.dur > 0)).toBe(true);
    }
  });
});

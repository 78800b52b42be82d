// Our training step vs TensorFlow.js (tfjs-backend-webgpu, and tfjs-backend-wasm as the CPU
// reference) in one headless Chromium: same adapter, same run, same models, Adam, no readback per step.
// Usage: npm run bench:compare -- [--models lenet,keras] [--batches 64,256] [--steps 3]
//        [--backends webgpu,wasm,cpu] [--json out.json] [--chromium path]
// (tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter, so it cannot train these CNNs: its rows
// say so, and tfjs-backend-cpu stands in as the CPU reference.)
import { dirname, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium, serve } from '../src/cli/runtime.js';
import { parseArgs } from '../src/cli/args.js';

const { flags } = parseArgs(process.argv.slice(2), { models: 'string', batches: 'string', steps: 'number', backends: 'string', json: 'string', chromium: 'string' });
const models = String(flags.models ?? 'lenet,keras').split(',');
const batches = String(flags.batches ?? '64,256').split(',').map(Number);
const backends = String(flags.backends ?? 'webgpu,wasm,cpu').split(',');
const steps = Number(flags.steps ?? 3);

interface Timing { msPerStep: number; imagesPerSec: number; error?: string }

async function ready(page: Page, url: string, global: string): Promise<void> {
  page.on('console', (m) => { if (m.type() === 'error') console.error(`page: ${m.text()}`); });
  await page.goto(url);
  await page.waitForFunction((g) => (window as unknown as Record<string, unknown>)[g] !== undefined, global, { timeout: 60_000 });
}

async function main(): Promise<void> {
  const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const server = await serve(dist, new Map(), { isolate: true });
  const exe = findChromium(flags.chromium === undefined ? undefined : String(flags.chromium));
  const browser = await chromium.launch({ executablePath: exe, args: CHROMIUM_ARGS });
  const ours = await browser.newPage(), peer = await browser.newPage();
  await ready(ours, `${server.url}web/bench.html`, 'cnn');
  await ready(peer, `${server.url}bench-tfjs/index.html`, 'peer');
  const rows: Array<Record<string, unknown>> = [];
  let adapter = '';
  for (const model of models)
    for (const batch of batches) {
      const o = await ours.evaluate((r) => (window as unknown as { cnn: { wall(x: unknown): Promise<Timing & { adapter: string }> } }).cnn.wall(r), { model, batch, steps });
      adapter = o.adapter;
      const row: Record<string, unknown> = { model, batch, ours: o };
      for (const backend of backends) {
        const p = await peer.evaluate((r) => (window as unknown as { peer: { measure(x: unknown): Promise<Timing> } }).peer.measure(r), { backend, model, batch, steps });
        row[backend] = p;
        console.error(`${model} b${batch}: ours ${o.msPerStep.toFixed(1)} ms/step, tfjs-${backend} ${p.error ? `failed: ${p.error}` : `${p.msPerStep.toFixed(1)} ms/step`}`);
      }
      rows.push(row);
    }
  const version = browser.version();
  await browser.close();
  await server.close();
  const head = ['model', 'batch', 'ours ms/step', 'ours img/s', ...backends.flatMap((b) => [`tfjs-${b} ms/step`, `tfjs-${b} img/s`, `ours / tfjs-${b} (img/s)`])];
  const fmt = (r: Record<string, unknown>) => {
    const o = r.ours as Timing;
    return [r.model, r.batch, o.msPerStep.toFixed(1), o.imagesPerSec.toFixed(0),
      ...backends.flatMap((b) => {
        const p = r[b] as Timing;
        return p.error ? [`fails: ${p.error}`, '-', '-'] : [p.msPerStep.toFixed(1), p.imagesPerSec.toFixed(0), `${(o.imagesPerSec / p.imagesPerSec).toFixed(2)}x`];
      })];
  };
  console.log([`Chromium ${version} (${exe}), adapter ${adapter}; ${steps} timed steps after 1 warm-up, Adam`, '',
    `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${fmt(r).join(' | ')} |`)].join('\n'));
  if (flags.json) writeFileSync(String(flags.json), JSON.stringify({ chromium: version, adapter, steps, rows }, null, 1));
}

main().then(() => process.exit(0), (e: Error) => { console.error(`error: ${e.message.split('\n')[0]}`); process.exit(1); });

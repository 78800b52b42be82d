// Our training step vs TensorFlow.js (tfjs-backend-webgpu on the same adapter; tfjs-backend-wasm,
// with the Conv2DBackpropFilter it lacks registered from its own ops, and tfjs-backend-cpu as the
// CPU peers) in one headless Chromium: same machine, same run, same models, Adam, no readback per step.
// Usage: npm run bench:compare -- [--models lenet,keras] [--batches 64] [--steps 3]
//        [--backends webgpu,wasm,cpu] [--json dist/bench-compare.json] [--chromium path]
import { dirname, resolve } from 'node:path';
import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium, serve } from '../src/cli/runtime.js';
import { parseArgs } from '../src/cli/args.js';
import { ENGINE_VERSION } from '../src/version.js';

const { flags } = parseArgs(process.argv.slice(2), { models: 'string', batches: 'string', steps: 'number', backends: 'string', json: 'string', chromium: 'string' });
const models = String(flags.models ?? 'lenet,keras').split(',');
const batches = String(flags.batches ?? '64').split(',').map(Number);
const backends = String(flags.backends ?? 'webgpu,wasm,cpu').split(',');
const steps = Number(flags.steps ?? 3);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const jsonPath = resolve(String(flags.json ?? resolve(root, 'bench-compare.json')));

interface Timing { msPerStep: number; imagesPerSec: number; error?: string; wasmThreads?: number | null }

async function ready(page: Page, url: string, global: string): Promise<void> {
  page.on('console', (m) => { if (m.type() === 'error') console.error(`page: ${m.text()}`); });
  await page.goto(url);
  await page.waitForFunction((g) => (window as unknown as Record<string, unknown>)[g] !== undefined, global, { timeout: 60_000 });
}

const ratio = (o: Timing, p: Timing) => (p.error ? null : o.imagesPerSec / p.imagesPerSec);

async function main(): Promise<void> {
  // dist/web: the pages, and the peer in dist/web/tfjs. Cross-origin isolated, so the wasm peer may use threads.
  const server = await serve(resolve(root, 'web'), new Map(), { isolate: true });
  const exe = findChromium(flags.chromium === undefined ? undefined : String(flags.chromium));
  const browser = await chromium.launch({ executablePath: exe, args: CHROMIUM_ARGS });
  const ours = await browser.newPage(), peer = await browser.newPage();
  await ready(ours, `${server.url}bench.html`, 'cnn');
  await ready(peer, `${server.url}tfjs/index.html`, 'peer');
  const tfjs = await peer.evaluate(() => (window as unknown as { peer: { version: string } }).peer.version);
  const userAgent = await ours.evaluate(() => navigator.userAgent);
  const rows: Array<{ model: string; batch: number; ours: Timing; peers: Record<string, Timing>; ratios: Record<string, number | null> }> = [];
  let adapter = '';
  for (const model of models)
    for (const batch of batches) {
      const o = await ours.evaluate((r) => (window as unknown as { cnn: { wall(x: unknown): Promise<Timing & { adapter: string }> } }).cnn.wall(r), { model, batch, steps });
      adapter = o.adapter;
      console.error(`${model} b${batch}: ours ${o.imagesPerSec.toFixed(1)} images/s`);
      const peers: Record<string, Timing> = {}, ratios: Record<string, number | null> = {};
      for (const backend of backends) {
        const p = await peer.evaluate((r) => (window as unknown as { peer: { measure(x: unknown): Promise<Timing> } }).peer.measure(r), { backend, model, batch, steps });
        peers[backend] = p;
        ratios[backend] = ratio(o, p);
        console.error(`${model} b${batch}: tfjs-${backend} ${p.error ? `failed: ${p.error}` : `${p.imagesPerSec.toFixed(1)} images/s`}`);
      }
      rows.push({ model, batch, ours: o, peers, ratios });
    }
  const version = browser.version();
  await browser.close();
  await server.close();
  const head = ['model', 'batch', 'ours img/s', ...backends.flatMap((b) => [`tfjs-${b} img/s`, `ours / tfjs-${b}`])];
  const img = (t: Timing) => (t.imagesPerSec >= 100 ? t.imagesPerSec.toFixed(0) : t.imagesPerSec.toPrecision(3));
  const fmt = (r: (typeof rows)[number]) => [r.model, r.batch, img(r.ours),
    ...backends.flatMap((b) => (r.peers[b].error ? [`fails: ${r.peers[b].error}`, '-'] : [img(r.peers[b]), `${r.ratios[b]!.toFixed(2)}x`]))];
  const threads = rows.find((r) => r.peers.wasm && !r.peers.wasm.error)?.peers.wasm.wasmThreads;
  console.log([`Chromium ${version} (${exe}), adapter ${adapter}; webgpu-cnn ${ENGINE_VERSION}, TF.js ${tfjs}${threads === undefined ? '' : ` (wasm threads: ${threads})`}; ${steps} timed steps after 1 warm-up, Adam`, '',
    `| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${fmt(r).join(' | ')} |`)].join('\n'));
  const tmp = `${jsonPath}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ date: new Date().toISOString(), engineVersion: ENGINE_VERSION, tfjs, chromium: version, userAgent, adapter, steps, rows }, null, 1));
  renameSync(tmp, jsonPath);
  console.error(`wrote ${jsonPath}`);
}

main().then(() => process.exit(0), (e: Error) => { console.error(`error: ${e.message.split('\n')[0]}`); process.exit(1); });

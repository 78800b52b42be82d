// Per-kernel profile of one training step (forward, backward, optimizer) with timestamp-query,
// plus wall-clock ms/step and images/s for whole steps submitted back to back.
// Usage: npm run bench:step -- [--model lenet|keras|cnn] [--batch 64] [--steps 10]
import { createNodeContext } from '../src/gpu/node.js';
import { uploadTensor } from '../src/gpu/buffers.js';
import { PRESETS, Sequential } from '../src/nn/model.js';
import { createOptimizer } from '../src/optim/optimizer.js';
import { TrainStep } from '../src/train/step.js';
import { parseArgs } from '../src/cli/args.js';
import { randomInts, uniform } from '../src/util/rng.js';

const { flags } = parseArgs(process.argv.slice(2), { model: 'string', batch: 'number', steps: 'number' });
const name = String(flags.model ?? 'lenet'), B = Number(flags.batch ?? 64), steps = Number(flags.steps ?? 10);
const spec = PRESETS[name];
if (!spec) throw new Error(`unknown model ${name}`);

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function main(): Promise<void> {
  const ctx = await createNodeContext({ profile: true });
  if (!ctx.profiler) throw new Error(`${ctx.describe()} has no timestamp-query`);
  const model = new Sequential(spec);
  model.store.materialize(ctx, model.store.initialValues(1));
  const x = uploadTensor(ctx.device, uniform(B * 784, 1), [B, 1, 28, 28]);
  const y = uploadTensor(ctx.device, randomInts(B, 2, 10), [B]);
  const step = await TrainStep.build(ctx, model, x, y, await createOptimizer(ctx, model.store, { type: 'adam', lr: 1e-3 }));
  // Per-kernel: one profiled pass per dispatch; warm-up step first, then `steps` samples.
  // Calls and work per kernel come from the recorded step; times from the profiler.
  const per = new Map<string, { ns: number[]; calls: number; flops: number; bytes: number }>();
  for (const d of step.dispatches) {
    const e = per.get(d.kernel) ?? { ns: [], calls: 0, flops: 0, bytes: 0 };
    e.calls++; e.flops += d.flops; e.bytes += d.bytes;
    per.set(d.kernel, e);
  }
  for (let i = 0; i <= steps; i++) {
    step.prepare(i + 1, 1e-3, 1);
    step.run();
    const t = await ctx.profiler.collect();
    if (i === 0) continue;
    const seen = new Map<string, number>();
    for (const r of t) seen.set(r.kernel, (seen.get(r.kernel) ?? 0) + r.ns);
    for (const [k, ns] of seen) per.get(k)!.ns.push(ns);
  }
  const rows = [...per.entries()].map(([k, e]) => ({ k, calls: e.calls, us: e.ns.length ? median(e.ns) / 1e3 : 0, flops: e.flops, bytes: e.bytes }));
  const total = rows.reduce((s, r) => s + r.us, 0);
  rows.sort((a, b) => b.us - a.us);
  const out = [`${name}, batch ${B}, Adam, ${ctx.describe()}; median of ${steps} steps after 1 warm-up`, '',
    '| kernel | calls/step | median µs/step | GFLOP/s | GB/s | % of step |', '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.k} | ${r.calls} | ${r.us.toFixed(0)} | ${(r.flops / r.us / 1e3).toFixed(2)} | ${(r.bytes / r.us / 1e3).toFixed(2)} | ${((100 * r.us) / total).toFixed(1)} |`),
    `| **sum of kernels** | | ${total.toFixed(0)} | | | 100 |`, '', `timestamp spans dropped as non-positive: ${ctx.profiler.dropped}`];
  // Wall clock without the profiler's per-dispatch passes: whole steps back to back.
  const plain = await createNodeContext();
  const m2 = new Sequential(spec);
  m2.store.materialize(plain, m2.store.initialValues(1));
  const x2 = uploadTensor(plain.device, uniform(B * 784, 1), [B, 1, 28, 28]), y2 = uploadTensor(plain.device, randomInts(B, 2, 10), [B]);
  const s2 = await TrainStep.build(plain, m2, x2, y2, await createOptimizer(plain, m2.store, { type: 'adam', lr: 1e-3 }));
  s2.prepare(1, 1e-3, 1); s2.run(); await plain.queue.onSubmittedWorkDone();
  let encode = 0;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const e0 = performance.now();
    s2.prepare(i + 2, 1e-3, 1);
    s2.run();
    encode += performance.now() - e0;
  }
  await plain.queue.onSubmittedWorkDone();
  const ms = (performance.now() - t0) / steps;
  out.push('', `wall clock: ${ms.toFixed(1)} ms/step, ${Math.round((1000 * B) / ms)} images/s; CPU encode+submit ${(encode / steps).toFixed(2)} ms/step; ` +
    `${s2.dispatches.length} dispatches in 1 command buffer per step`);
  console.log(out.join('\n'));
  ctx.destroy();
  plain.destroy();
}

main().then(() => process.exit(0), (e: Error) => { console.error(`error: ${e.message}`); process.exit(1); });

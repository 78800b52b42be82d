// Per-kernel profile of one training step (forward, backward, optimizer) and its wall-clock rate.
// Runtime-neutral: the Node CLI, bench/step.ts and the browser bench page all call these.
import type { GpuContext } from '../gpu/context.js';
import { uploadTensor } from '../gpu/buffers.js';
import type { KernelTiming } from '../gpu/profiler.js';
import { Sequential, type ModelSpec } from '../nn/model.js';
import { createOptimizer } from '../optim/optimizer.js';
import { randomInts, uniform } from '../util/rng.js';
import { TrainStep } from './step.js';

export interface ProfileRow { kernel: string; calls: number; us: number; flops: number; bytes: number }
export interface WallClock { msPerStep: number; imagesPerSec: number; encodeMs: number; dispatches: number }
export interface StepProfile {
  model: string; batch: number; adapter: string; steps: number;
  rows: ProfileRow[]; totalUs: number; dropped: number;
  /** The last sampled step's spans, for the trace file. */
  spans: KernelTiming[];
  /** Coarsest power-of-ten ns that divides every span (browsers may quantise timestamps). */
  quantumNs: number;
  /** The kernel versions this step ran, one line (SelectionPolicy.summary). */
  versions: string;
  wall?: WallClock;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

export async function buildStep(ctx: GpuContext, spec: ModelSpec, B: number): Promise<TrainStep> {
  const model = new Sequential(spec);
  model.store.materialize(ctx, model.store.initialValues(1));
  const [c, h, w] = spec.input;
  const x = uploadTensor(ctx.device, uniform(B * c * h * w, 1), [B, c, h, w]);
  const y = uploadTensor(ctx.device, randomInts(B, 2, spec.classes), [B]);
  return TrainStep.build(ctx, model, x, y, await createOptimizer(ctx, model.store, { type: 'adam', lr: 1e-3 }));
}

function quantum(spans: KernelTiming[]): number {
  let q = 1;
  while (q < 1e6 && spans.length && spans.every((s) => s.ns % (q * 10) === 0 && s.startNs % (q * 10) === 0)) q *= 10;
  return q;
}

/** One timed pass per dispatch; a warm-up step, then the median over `steps` of each kernel's time per step. */
export async function profileStep(ctx: GpuContext, spec: ModelSpec, batch: number, steps: number): Promise<StepProfile> {
  const prof = ctx.profiler;
  if (!prof) throw new Error(`${ctx.describe()}: no timestamp-query, so no per-kernel times`);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps must be a positive integer, got ${steps}`);
  const step = await buildStep(ctx, spec, batch);
  const per = new Map<string, { ns: number[]; calls: number; flops: number; bytes: number }>();
  for (const d of step.dispatches) {
    const e = per.get(d.kernel) ?? { ns: [], calls: 0, flops: 0, bytes: 0 };
    e.calls++; e.flops += d.flops; e.bytes += d.bytes;
    per.set(d.kernel, e);
  }
  let spans: KernelTiming[] = [];
  const dropped0 = prof.dropped;
  for (let i = 0; i <= steps; i++) {
    step.prepare(i + 1, 1e-3, 1);
    step.run();
    const t = await prof.collect();
    if (i === 0) continue;
    spans = t;
    const seen = new Map<string, number>();
    for (const r of t) seen.set(r.kernel, (seen.get(r.kernel) ?? 0) + r.ns);
    for (const [k, ns] of seen) per.get(k)!.ns.push(ns);
  }
  step.destroy();
  const rows = [...per.entries()].map(([kernel, e]) => ({ kernel, calls: e.calls, us: e.ns.length ? median(e.ns) / 1e3 : 0, flops: e.flops, bytes: e.bytes }));
  rows.sort((a, b) => b.us - a.us);
  return { model: spec.name, batch, adapter: ctx.describe(), steps, rows, totalUs: rows.reduce((s, r) => s + r.us, 0), dropped: prof.dropped - dropped0, spans, quantumNs: quantum(spans), versions: ctx.select.summary() };
}

/** Whole steps back to back on a context without a profiler: what training actually gets. */
export async function wallClock(ctx: GpuContext, spec: ModelSpec, batch: number, steps: number): Promise<WallClock> {
  if (ctx.profiler) throw new Error('wallClock needs a context without a profiler (its per-dispatch passes would be timed too)');
  const step = await buildStep(ctx, spec, batch);
  step.prepare(1, 1e-3, 1);
  step.run();
  await ctx.queue.onSubmittedWorkDone();
  let encode = 0;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const e0 = performance.now();
    step.prepare(i + 2, 1e-3, 1);
    step.run();
    encode += performance.now() - e0;
  }
  await ctx.queue.onSubmittedWorkDone();
  const ms = (performance.now() - t0) / steps;
  const r = { msPerStep: ms, imagesPerSec: (1000 * batch) / ms, encodeMs: encode / steps, dispatches: step.dispatches.length };
  step.destroy();
  return r;
}

const rate = (x: number, us: number) => (us > 0 ? (x / us / 1e3).toFixed(2) : '-');

export function formatProfile(p: StepProfile): string {
  const q = p.quantumNs >= 1000 ? `; timestamps quantised to ${p.quantumNs / 1000} µs` : '';
  const lines = [`${p.model}, batch ${p.batch}, Adam, ${p.adapter}; median of ${p.steps} steps after 1 warm-up${q}`, '',
    '| kernel | calls/step | median µs/step | GFLOP/s | GB/s | % of step |', '|---|---:|---:|---:|---:|---:|',
    ...p.rows.map((r) => `| ${r.kernel} | ${r.calls} | ${r.us.toFixed(0)} | ${rate(r.flops, r.us)} | ${rate(r.bytes, r.us)} | ${((100 * r.us) / (p.totalUs || 1)).toFixed(1)} |`),
    `| **sum of kernels** | | ${p.totalUs.toFixed(0)} | | | 100 |`, '', `timestamp spans dropped as negative: ${p.dropped}`, p.versions];
  const w = p.wall;
  if (w) lines.push('', `wall clock: ${w.msPerStep.toFixed(1)} ms/step, ${Math.round(w.imagesPerSec)} images/s; CPU encode+submit ${w.encodeMs.toFixed(2)} ms/step; ${w.dispatches} dispatches in 1 command buffer per step`);
  return lines.join('\n');
}

/** Chrome trace-event JSON (chrome://tracing, ui.perfetto.dev): one complete event per dispatch. */
export function chromeTrace(p: StepProfile, runtime: string): object {
  return {
    displayTimeUnit: 'ns',
    metadata: { model: p.model, batch: p.batch, adapter: p.adapter, runtime },
    traceEvents: [
      { name: 'process_name', ph: 'M', pid: 1, tid: 1, args: { name: `webgpu-cnn ${runtime}: ${p.adapter}` } },
      ...p.spans.map((s) => ({ name: s.kernel, cat: 'kernel', ph: 'X', pid: 1, tid: 1, ts: s.startNs / 1e3, dur: s.ns / 1e3, args: { flops: s.flops, bytes: s.bytes } })),
    ],
  };
}

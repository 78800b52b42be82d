// One benchmark case per registered op version at a chosen size: its dispatches on seeded
// random inputs. Helper passes (weight flip, partial sums) run inside the case of their op.
import type { GpuContext } from '../gpu/context.js';
import { createTensor, uploadTensor, type Tensor } from '../gpu/buffers.js';
import type { Dispatch } from '../gpu/dispatch.js';
import { uniform, randomInts } from '../util/rng.js';
import { conv2dGeom } from './conv2d/geometry.js';
import { avgPool2dBackward, avgPool2dForward, maxPool2dBackward, maxPool2dForward } from '../ops/pool2d.js';
import { biasAdd, biasGrad } from '../ops/bias.js';
import { add, axpy, fill, reduceSum, reluBackward, reluForward, scale } from '../ops/elementwise.js';
import { argmax, countCorrect, softmax, softmaxXentForward, softmaxXentForwardBackward } from '../ops/loss.js';
import { dropoutBackward, dropoutForward } from '../ops/dropout.js';
import { adamStep, sgdStep } from '../ops/optim.js';
import { GpuDataset } from '../data/gpu_dataset.js';
import { FAMILIES, registry } from './registry.js';
import type { BenchSize } from './family.js';

export type { BenchSize };


export const BENCH_SIZES: Record<string, BenchSize> = {
  tiny: { N: 2, C: 3, H: 12, W: 12, K: 8, k: 3, M: 64, Kd: 64, Nm: 64, n: 4096 },
  /** LeNet's second convolution at batch 64, a 256^3 matmul, a conv activation's worth of elements. */
  mnist: { N: 64, C: 6, H: 14, W: 14, K: 16, k: 5, M: 256, Kd: 256, Nm: 256, n: 64 * 6 * 28 * 28 },
  large: { N: 64, C: 32, H: 28, W: 28, K: 64, k: 3, M: 1024, Kd: 1024, Nm: 1024, n: 1 << 22 },
};

export interface BenchCase { kernel: string; dispatches: Dispatch[] }

export function checkSize(s: BenchSize): BenchSize {
  for (const [k, v] of Object.entries(s)) if (!Number.isInteger(v) || v < 1) throw new Error(`bench size ${k} must be a positive integer, got ${v}`);
  if (s.k % 2 === 0) throw new Error(`bench size k must be odd ('same' padding), got ${s.k}`);
  return s;
}

/** Builds every case; `tensors` collects what was allocated so the caller can free it. */
export async function buildCases(ctx: GpuContext, size: BenchSize, tensors: Tensor[] = []): Promise<BenchCase[]> {
  const s = checkSize(size);
  let seed = 1;
  const r = (shape: readonly number[]) => { const t = uploadTensor(ctx.device, uniform(shape.reduce((a, b) => a * b, 1), seed++), shape); tensors.push(t); return t; };
  const o = (shape: readonly number[], dtype: 'f32' | 'u32' = 'f32') => { const t = createTensor(ctx.device, shape, dtype); tensors.push(t); return t; };
  const cases: BenchCase[] = [];
  // Each family's versions at the family's bench shape; a version unfit for it is left out.
  for (const f of FAMILIES) {
    const shape = f.benchShape(s);
    for (const v of f.versions) {
      if (v.unfit(shape, ctx.limits)) continue;
      cases.push({ kernel: `${f.name}.${v.name}`, dispatches: await f.trial(ctx, v, shape, { rand: r, out: o }) });
    }
  }
  const add1 = async (kernel: string, ...ds: Array<Dispatch | Promise<Dispatch> | Promise<Dispatch[]>>) =>
    cases.push({ kernel, dispatches: (await Promise.all(ds)).flat() });

  // Pooling and bias run on a conv layer's output at the bench size.
  const g = conv2dGeom([s.N, s.C, s.H, s.W], [s.K, s.C, s.k, s.k], { stride: 1, padding: (s.k - 1) / 2 });
  const yShape = [g.N, g.K, g.OH, g.OW];
  const dy = r(yShape), y = o(yShape), b = r([s.K]);

  const pool = { kernel: 2 };
  const py = [g.N, g.K, Math.floor(g.OH / 2), Math.floor(g.OW / 2)];
  const pdy = r(py), pout = o(py), pidx = o(py, 'u32'), pdx = o(yShape);
  await add1('pool2d.max_fwd.v1', maxPool2dForward(ctx, dy, pout, pidx, pool));
  for (const v of ['v1', 'v2'] as const) await add1(`pool2d.max_bwd.${v}`, maxPool2dBackward(ctx, pdy, pidx, pdx, pool, v));
  await add1('pool2d.avg_fwd.v1', avgPool2dForward(ctx, dy, pout, pool));
  await add1('pool2d.avg_bwd.v1', avgPool2dBackward(ctx, pdy, pdx, pool));


  await add1('bias.add.v1', biasAdd(ctx, y, b));
  for (const v of ['v1', 'v2'] as const) await add1(`bias.grad.${v}`, biasGrad(ctx, dy, o([s.K]), { version: v }));
  const e1 = r([s.n]), e2 = r([s.n]), eo = o([s.n]);
  await add1('relu.fwd.v1', reluForward(ctx, e1, eo));
  await add1('relu.bwd.v1', reluBackward(ctx, e1, e2, eo));
  await add1('elementwise.add.v1', add(ctx, e1, e2, eo));
  await add1('elementwise.scale.v1', scale(ctx, e1, 0.5, eo));
  await add1('elementwise.axpy.v1', axpy(ctx, 0.5, e1, eo));
  await add1('elementwise.fill.v1', fill(ctx, eo, 0));
  await add1('reduce.sum.v1', reduceSum(ctx, e1, o([1])));
  const mask = o([s.n]);
  await add1('dropout.fwd.v1', dropoutForward(ctx, e1, mask, eo, 0.25, 7));
  await add1('dropout.bwd.v1', dropoutBackward(ctx, e2, mask, eo));
  const m = o([s.n]), v2 = o([s.n]);
  await add1('optim.sgd.v1', sgdStep(ctx, eo, e1, m, { lr: 0.01, momentum: 0.9 }));
  await add1('optim.adam.v1', adamStep(ctx, eo, e1, m, v2, { lr: 1e-3 }));

  const rows = Math.max(64, s.N), z = r([rows, 10]), labels = uploadTensor(ctx.device, randomInts(rows, 3, 10), [rows]);
  tensors.push(labels);
  await add1('softmax_xent.fwd.v1', softmaxXentForward(ctx, z, labels, o([rows])));
  await add1('softmax_xent.fwd_bwd.v1', softmaxXentForwardBackward(ctx, z, labels, o([rows]), o([rows, 10])));
  await add1('softmax_xent.softmax.v1', softmax(ctx, z, o([rows, 10])));
  await add1('metrics.argmax.v1', argmax(ctx, z, o([rows], 'u32')));
  await add1('metrics.correct.v1', countCorrect(ctx, z, labels, o([1], 'u32')));

  const images = new Uint8Array(rows * 784).map((_, i) => (i * 2654435761) >>> 24);
  const ds = new GpuDataset(ctx, { count: rows, rows: 28, cols: 28, images, labels: new Uint8Array(rows), classes: 10 });
  tensors.push(ds.images, ds.labels, ds.perm);
  const gather = await ds.gather(s.N, null);
  tensors.push(gather.x, gather.y);
  await add1('data.gather.v1', gather.dispatch);
  return cases;
}

/** Registry entries no case runs (a new kernel must get a case, or the bench page silently skips it). */
export function uncovered(cases: BenchCase[]): string[] {
  const seen = new Set(cases.flatMap((c) => c.dispatches.map((d) => d.kernel)));
  return [...registry.keys()].filter((k) => !seen.has(k));
}

/** The case names a sweep gives where every version fits: `family.vN` per family version, then each legacy op. */
export function caseNames(): string[] {
  const legacy = [...registry.values()].filter((d) => d.legacy && !d.partOf).map((d) => d.name);
  return [...FAMILIES.flatMap((f) => f.versions.map((v) => `${f.name}.${v.name}`)), ...legacy];
}

// One benchmark case per registered op version at a chosen size: its dispatches on seeded
// random inputs. Helper passes (weight flip, partial sums) run inside the case of their op.
import type { GpuContext } from '../gpu/context.js';
import { createTensor, uploadTensor, type Tensor } from '../gpu/buffers.js';
import type { Dispatch } from '../gpu/dispatch.js';
import { uniform } from '../util/rng.js';
import { conv2dBackwardInput, conv2dBackwardWeight, conv2dForward, conv2dGeom } from '../ops/conv2d.js';
import { bwdInputScratchShapes, conv2dBackwardInputV2, conv2dBackwardWeightV2, conv2dForwardV2, wgradScratchShape } from '../ops/conv2d_fast.js';
import { Conv2dV3 } from '../ops/conv2d_gemm.js';
import { FAMILIES, registry } from './registry.js';
import type { BenchSize, Limits } from './family.js';

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

  const args = { stride: 1, padding: (s.k - 1) / 2 };
  const x = r([s.N, s.C, s.H, s.W]), w = r([s.K, s.C, s.k, s.k]), b = r([s.K]);
  const g = conv2dGeom(x.shape, w.shape, args);
  const yShape = [g.N, g.K, g.OH, g.OW];
  const dy = r(yShape), y = o(yShape), dx = o(x.shape), dw = o(w.shape);
  const sh = bwdInputScratchShapes(w.shape);
  const zeros = o(sh.zeros);
  for (const v of ['v1', 'v2']) await add1(`conv2d.fwd.${v}`, v === 'v1' ? conv2dForward(ctx, x, w, b, y, args) : conv2dForwardV2(ctx, x, w, b, y, args));
  await add1('conv2d.bwd_input.v1', conv2dBackwardInput(ctx, dy, w, dx, args));
  await add1('conv2d.bwd_input.v2', conv2dBackwardInputV2(ctx, dy, w, dx, args, { wt: o(sh.wt), zeros }));
  await add1('conv2d.bwd_weight.v1', conv2dBackwardWeight(ctx, x, dy, dw, args));
  await add1('conv2d.bwd_weight.v2', conv2dBackwardWeightV2(ctx, x, dy, dw, args, o(wgradScratchShape(s.N, w.shape))));
  // v3 keeps its im2col matrix and packed dy between passes, as in training.
  const v3 = new Conv2dV3(ctx, x.shape, w.shape, args, (shape) => o(shape));
  await add1('conv2d.fwd.v3', v3.forward(x, w, b, y));
  await add1('conv2d.bwd_input.v3', v3.packGrad(dy), v3.backwardInput(dx));
  await add1('conv2d.bwd_weight.v3', v3.weightGemm(), v3.unpackWeight(dw), v3.unpackBias(o([s.K])));
  return cases;
}

/** Registry entries no case runs (a new kernel must get a case, or the bench page silently skips it). */
export function uncovered(cases: BenchCase[]): string[] {
  const seen = new Set(cases.flatMap((c) => c.dispatches.map((d) => d.kernel)));
  return [...registry.keys()].filter((k) => !seen.has(k));
}

/** The case names buildCases makes: family.version for each version fit at the bench shape, then the legacy kernels' own names. */
export function caseNames(limits: Limits, size: BenchSize): string[] {
  const inFamily = new Set(FAMILIES.flatMap((f) => f.versions.flatMap((v) => v.kernels.map((k) => k.name))));
  const families = FAMILIES.flatMap((f) => f.versions.filter((v) => !v.unfit(f.benchShape(size), limits)).map((v) => `${f.name}.${v.name}`));
  return [...families, ...[...registry.values()].filter((d) => !d.partOf && !inFamily.has(d.name)).map((d) => d.name)];
}

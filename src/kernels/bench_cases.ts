// One benchmark case per family version at a chosen size: the version's whole trial (forward and
// backward where the family has both) on seeded random inputs.
import type { GpuContext } from '../gpu/context.js';
import { createTensor, uploadTensor, type Tensor } from '../gpu/buffers.js';
import type { Dispatch } from '../gpu/dispatch.js';
import { uniform } from '../util/rng.js';
import { FAMILIES, registry } from './registry.js';
import type { AnyFamily, BenchSize, Limits } from './family.js';

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
  // Each family's versions at the family's bench shape (and its variants); a version unfit for one is left out.
  for (const f of FAMILIES) {
    for (const { label, shape } of benchShapes(f, s)) {
      for (const v of f.versions) {
        if (v.unfit(shape, ctx.limits)) continue;
        cases.push({ kernel: `${f.name}.${v.name}${label}`, dispatches: await f.trial(ctx, v, shape, { rand: r, out: o }) });
      }
    }
  }
  return cases;
}

/** A family's bench shape, then its variants with ' (label)' for their case names. */
function benchShapes(f: AnyFamily, s: BenchSize): Array<{ label: string; shape: unknown }> {
  return [{ label: '', shape: f.benchShape(s) }, ...(f.benchVariants?.(s) ?? []).map((x) => ({ label: ` (${x.label})`, shape: x.shape }))];
}

/** Registry entries no case runs (a new kernel must get a case, or the bench page silently skips it). */
export function uncovered(cases: BenchCase[]): string[] {
  const seen = new Set(cases.flatMap((c) => c.dispatches.map((d) => d.kernel)));
  return [...registry.keys()].filter((k) => !seen.has(k));
}

/** The case names buildCases makes: family.version (label) for each version fit at each bench shape. */
export function caseNames(limits: Limits, size: BenchSize): string[] {
  return FAMILIES.flatMap((f) => benchShapes(f, size).flatMap(({ label, shape }) => f.versions.filter((v) => !v.unfit(shape, limits)).map((v) => `${f.name}.${v.name}${label}`)));
}

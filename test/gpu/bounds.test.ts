// Every registered kernel version of every family, over its shared case list, compiled with each
// storage index checked against arrayLength (gpu/bounds.ts): not one access may fall outside its
// binding, since Node runs Dawn without robustness. Then a kernel that is out of bounds on purpose,
// to show the check counts what it should.
import { afterAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context.js';
import { createTensor, numel, readTensor, uploadTensor, type Tensor } from '../../src/gpu/buffers.js';
import { run, type Dispatch } from '../../src/gpu/dispatch.js';
import { instrumentBounds, type BoundsViolation } from '../../src/gpu/bounds.js';
import { dispatchKernel, kernelDef } from '../../src/kernels/contract.js';
import { FAMILIES, registry } from '../../src/kernels/registry.js';
import type { AnyFamily } from '../../src/kernels/family.js';
import { CONV2D_ACCUMULATE_CASES, CONV2D_CASES, CONV2D_SPLIT_CASES } from '../../src/kernels/conv2d/cases.js';
import { conv2dV5Split } from '../../src/kernels/conv2d/v5.js';
import { MATMUL_CASES, MATMUL_FUSED_CASES } from '../../src/kernels/matmul/cases.js';
import { POOL2D_CASES } from '../../src/kernels/pool2d/cases.js';
import { BIAS_CASES } from '../../src/kernels/bias/cases.js';
import { RELU_CASES } from '../../src/kernels/activation/cases.js';
import { ELEMENTWISE_CASES } from '../../src/kernels/elementwise/cases.js';
import { REDUCE_CASES } from '../../src/kernels/reduce/cases.js';
import { XENT_CASES } from '../../src/kernels/softmax_xent/cases.js';
import { METRICS_CASES } from '../../src/kernels/metrics/cases.js';
import { DROPOUT_CASES } from '../../src/kernels/dropout/cases.js';
import { OPTIM_SIZES } from '../../src/kernels/optim/cases.js';
import { GATHER_CASES, type GatherCase } from '../../src/kernels/data/cases.js';
import { BN_CASES } from '../../src/kernels/batchnorm/cases.js';
import type { DataVersion } from '../../src/kernels/data/family.js';
import indexSource from '../../shaders/common/index.wgsl?raw';
import { uniform } from '../../src/util/rng.js';
import { nodeContext } from '../helpers/gpu.js';

type Scratch = { rand: (shape: readonly number[]) => Tensor; out: (shape: readonly number[], dtype?: 'f32' | 'u32') => Tensor };
interface Grid { cases: readonly unknown[]; describe?: (c: never) => string; trial?: (ctx: GpuContext, v: never, c: never, s: Scratch) => Promise<Dispatch[]> }

// The gather runs from the case's own batch start (positions past the end included), which the
// family's trial (start 0) would not reach.
const gatherShape = (c: GatherCase) => ({ B: c.B, H: c.H, W: c.W, count: c.count, augment: c.aug });
const gatherTrial = async (ctx: GpuContext, v: DataVersion, c: GatherCase, { out }: Scratch) => {
  const src = { images: out([Math.ceil((c.count * c.H * c.W) / 4)], 'u32'), labels: out([c.count], 'u32'), perm: out([c.count], 'u32') };
  const augment = c.aug ? { maxShift: 2, maxRot: 0.3, scaleJit: 0.15 } : null;
  return [await v.gather(ctx, src, out([c.B, 1, c.H, c.W]), out([c.B], 'u32'), gatherShape(c), { start: c.start, seed: 77, augment, mean: 0.5, std: 0.25 })];
};

/** Each family's shared case list (src/kernels/<family>/cases.ts), as the family's shapes. */
const GRIDS: Record<string, Grid> = {
  conv2d: { cases: [...CONV2D_CASES, ...CONV2D_ACCUMULATE_CASES] },
  matmul: { cases: [...MATMUL_CASES, ...MATMUL_FUSED_CASES] },
  batchnorm: { cases: BN_CASES.map((c) => c.s) },
  maxpool2d: { cases: [false, true].flatMap((relu) => POOL2D_CASES.map((c) => ({ ...c.g, relu }))) },
  avgpool2d: { cases: POOL2D_CASES.map((c) => c.g) },
  bias: { cases: BIAS_CASES },
  relu: { cases: RELU_CASES },
  elementwise: { cases: ELEMENTWISE_CASES },
  reduce: { cases: REDUCE_CASES },
  softmax_xent: { cases: XENT_CASES },
  metrics: { cases: METRICS_CASES },
  dropout: { cases: DROPOUT_CASES.map(({ n }) => ({ n })) },
  optim: { cases: OPTIM_SIZES.map((n) => ({ n })) },
  data: { cases: GATHER_CASES, describe: (c: GatherCase) => `${JSON.stringify(c)}`, trial: gatherTrial },
};

let ctxPromise: Promise<GpuContext> | null = null;
const checked = () => (ctxPromise ??= nodeContext({ checkBounds: true }));
afterAll(async () => (await ctxPromise)?.destroy());

/** The counters after `work`, which must raise no WebGPU error (an invalid dispatch would count nothing). */
async function checkedRun(ctx: GpuContext, work: () => Promise<void>): Promise<BoundsViolation[]> {
  ctx.device.pushErrorScope('validation');
  await work();
  const err = await ctx.device.popErrorScope();
  if (err) throw new Error(`WebGPU error: ${err.message}`);
  return ctx.bounds!.read();
}

/** Runs one case on scratch made for it (seeded inputs, zeroed outputs: zero labels and indices are valid), then frees it. */
async function runCase(ctx: GpuContext, family: AnyFamily, grid: Grid, v: AnyFamily['versions'][number], c: unknown): Promise<BoundsViolation[]> {
  const made: Tensor[] = [];
  const keep = (t: Tensor) => (made.push(t), t);
  let seed = 1;
  const scratch: Scratch = {
    rand: (shape) => keep(uploadTensor(ctx.device, uniform(numel(shape), seed++), shape)),
    out: (shape, dtype = 'f32') => keep(createTensor(ctx.device, shape, dtype)),
  };
  try {
    return await checkedRun(ctx, async () => run(ctx, grid.trial ? await grid.trial(ctx, v as never, c as never, scratch) : await family.trial(ctx, v, c, scratch)));
  } finally {
    for (const t of made) t.buffer.destroy();
  }
}

describe('bounds: every kernel version over its case list, each storage index checked', () => {
  it('every family has a case list here', () => {
    expect(Object.keys(GRIDS).sort()).toEqual(FAMILIES.map((f) => f.name).sort());
  });

  it('the rewrite checks every storage array each registered kernel binds', () => {
    for (const def of registry.values()) {
      const arrays = Object.keys(def.bindings).filter((b) => new RegExp(`var<storage[^>]*>\\s*${b}\\s*:\\s*array<`).test(def.code));
      expect(arrays.length, def.name).toBeGreaterThan(0);
      expect(instrumentBounds(def.code, def.file).checked, def.name).toEqual(expect.arrayContaining(arrays));
    }
  });

  const rows = FAMILIES.flatMap((f) => f.versions.map((v) => [`${f.name}.${v.name}`, f, v] as const));
  it.each(rows)('%s: no access outside its bindings', async (_n, family, v) => {
    const ctx = await checked();
    const grid = GRIDS[family.name];
    const found: string[] = [];
    let ran = 0;
    for (const c of grid.cases) {
      if (v.unfit(c, ctx.limits)) continue; // it refuses the shape (the kernel tests check that), so never runs it
      const what = grid.describe ? grid.describe(c as never) : family.describe(c);
      for (const b of await runCase(ctx, family, grid, v, c)) found.push(`${b.kernel} at ${what}: ${b.count} accesses outside '${b.binding}'`);
      ran++;
    }
    expect(found).toEqual([]);
    expect(ran).toBeGreaterThan(0);
  });

  it('conv2d.v5 with its weight gradient forced into several chunks: no access outside its bindings', async () => {
    const ctx = await checked();
    const family = FAMILIES.find((f) => f.name === 'conv2d')!;
    const found: string[] = [];
    for (const { g, Z } of CONV2D_SPLIT_CASES) {
      for (const b of await runCase(ctx, family, GRIDS.conv2d, conv2dV5Split(Z), g)) found.push(`${b.kernel} at ${family.describe(g)} in ${Z} chunks: ${b.count} accesses outside '${b.binding}'`);
    }
    expect(found).toEqual([]);
  });
});

// A 1-D kernel with no guard: invocations past n write y[i] and read x[i + 1] and x[i - 1] out of bounds.
const OOB = kernelDef({
  name: 'oob.v1', file: 'bounds.test.ts', include: [indexSource], entry: 'main', uniforms: ['n'], bindings: { x: 'read', y: 'read_write' }, workgroup: 64,
  source: `
struct P { n: u32, _a: u32, _b: u32, _c: u32 }
override WG: u32;
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (p.n == 0u) { return; }
  y[i] = x[i + 1u] + x[i32(i) - 1];
}`,
});

describe('bounds: the check catches a kernel that is out of bounds on purpose', () => {
  it('counts each access outside its binding, per kernel and binding, and keeps in-bounds results', async () => {
    const ctx = await checked();
    const n = 100, xv = uniform(n, 3);
    const x = uploadTensor(ctx.device, xv, [n]), y = createTensor(ctx.device, [n]);
    const counted = await checkedRun(ctx, async () => run(ctx, [await dispatchKernel(ctx, OOB, { uniforms: { n }, bind: { x, y }, threads: n })]));
    // 128 invocations: y[i] for i >= 100 (28); x[i + 1] for i >= 99 (29), x[i - 1] for i = 0 and i >= 101 (1 + 27).
    expect(counted).toEqual([{ kernel: 'oob.v1', binding: 'x', count: 57 }, { kernel: 'oob.v1', binding: 'y', count: 28 }]);
    expect(await ctx.bounds!.read()).toEqual([]); // read resets the counters
    const got = await readTensor(ctx.device, y);
    expect(got[5]).toBeCloseTo(xv[6] + xv[4], 6);
    x.buffer.destroy(); y.buffer.destroy();
  });

  it('rewrites nested indices, and refuses a storage name declared again in a function or taken by pointer', () => {
    const src = '@group(0) @binding(1) var<storage, read> a: array<u32>;\n@group(0) @binding(2) var<storage, read_write> b: array<f32>;\nfn f(i: u32) { b[a[i]] = 1.0; }';
    const r = instrumentBounds(src);
    expect(r.checked).toEqual(['a', 'b']);
    expect(r.code).toContain('b[_bounds_b(u32(a[_bounds_a(u32(i))]))] = 1.0;');
    expect(() => instrumentBounds(`${src}\nfn g(a: u32) -> u32 { return a; }`, 'g.wgsl')).toThrow("g.wgsl: cannot check bounds: 'a' names a storage array and is declared again inside a function");
    expect(() => instrumentBounds(`${src}\nfn h() -> f32 { let q = &b; return (*q)[0]; }`, 'h.wgsl')).toThrow("h.wgsl: cannot check bounds: a pointer to storage array 'b' would hide its accesses");
  });
});

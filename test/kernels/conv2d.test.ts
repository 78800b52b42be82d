import { describe, expect, it } from 'vitest';
import { conv2dFamily, planConv2d } from '../../src/kernels/conv2d/family.js';
import { CONV2D_ACCUMULATE_CASES, CONV2D_CASES, CONV2D_SPLIT_CASES } from '../../src/kernels/conv2d/cases.js';
import { conv2dGeom, yShape, type Conv2dGeom } from '../../src/kernels/conv2d/geometry.js';
import { conv2dChecks } from '../../src/kernels/conv2d/check.js';
import { gemmGeom } from '../../src/kernels/conv2d/v3.js';
import { workgroups as v4Workgroups } from '../../src/kernels/conv2d/v4.js';
import { conv2dV5Split, evenChunks, v5Chunks } from '../../src/kernels/conv2d/v5.js';
import { SelectionPolicy } from '../../src/kernels/select.js';
import type { Limits } from '../../src/kernels/family.js';
import { Graph } from '../../src/autograd/graph.js';
import * as F from '../../src/autograd/ops.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { exec, gpu, output, passes, rand, read, rows } from '../helpers/gpu.js';

const { describe: name, versions } = conv2dFamily;
const version = (n: string) => versions.find((v) => v.name === n)!;

/** Seeded inputs for a shape: x, w, b and an output gradient dy. */
function inputs(ctx: GpuContext, g: Conv2dGeom, seed: number) {
  return {
    x: rand(ctx, [g.N, g.C, g.H, g.W], seed), w: rand(ctx, [g.K, g.C, g.KH, g.KW], seed + 1),
    b: rand(ctx, [g.K], seed + 2), dy: rand(ctx, yShape(g), seed + 3),
  };
}

// Scratch is allocated poisoned too, so no version may rely on zero-filled buffers.
const poisoned = (ctx: GpuContext) => (shape: readonly number[]) => output(ctx, shape);

describe('conv2d family vs float64 reference', () => {
  it('has the v1 baseline first and prefers v5, v4, v3, v2, v1', () => {
    expect(versions.map((v) => v.name)).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
    expect(conv2dFamily.order).toEqual(['v5', 'v4', 'v3', 'v2', 'v1']);
  });

  it.each(rows(conv2dChecks()))('%s', (_n, c) => passes(c));

  it('v3, v4 and v5 take every gradient with accumulate; v1 and v2 cannot add into dx', async () => {
    const ctx = await gpu();
    const g = CONV2D_ACCUMULATE_CASES[0];
    for (const v of versions) expect(v.plan(ctx, g, poisoned(ctx)).accumulates, v.name).toEqual({ dx: !['v1', 'v2'].includes(v.name), dw: true, db: true });
  });

  it('v3 splits the weight gradient over the batch (N=37, K=7 has several split-K slices)', () => {
    expect(gemmGeom(conv2dGeom([37, 3, 6, 9], [7, 3, 3, 3], { padding: 1 })).Z).toBeGreaterThan(1);
  });

  it('v3 is unfit, in words, where a GEMM grid exceeds the per-dimension limit; the built-in order takes the first fit version', async () => {
    const ctx = await gpu();
    // The cnn preset's first convolution at batch 6000: 4,704,000 output columns.
    const g = conv2dGeom([6000, 1, 28, 28], [32, 1, 3, 3], { padding: 1 });
    const max = ctx.limits.maxComputeWorkgroupsPerDimension;
    const why = version('v3').unfit(g, ctx.limits);
    expect(why).toBe(`its forward GEMM [32x4704000] needs a 73500 x 2 x 1 workgroup grid, over the device's ${max} per dimension`);
    await expect(planConv2d(ctx, g, () => { throw new Error('must not allocate'); }, version('v3'))).rejects.toThrow(`conv2d.v3: ${why}`);
    expect(version('v2').unfit(g, ctx.limits)).toBeNull();
    expect(version('v4').unfit(g, ctx.limits)).toBeNull();
    expect(version('v5').unfit(g, ctx.limits)).toBeNull();
    const chosen = await new SelectionPolicy({ autotune: false }).choose(ctx, conv2dFamily, g);
    expect(chosen.name).toBe('v5');
  });

  it('v4 is unfit, in words, where its i32 offsets cannot reach every element or its grid is too large', async () => {
    const ctx = await gpu();
    const big = conv2dGeom([3000, 3, 512, 512], [8, 3, 3, 3], { padding: 1 });
    expect(version('v4').unfit(big, ctx.limits)).toBe('its i32 offsets cannot index x: N*C*H*W = 2359296000 elements');
    const lenet = conv2dGeom([64, 1, 28, 28], [6, 1, 5, 5], { padding: 2 });
    expect(version('v4').unfit(lenet, { ...ctx.limits, maxComputeWorkgroupsPerDimension: 8 })).toBe('its fwd pass needs 98 workgroups, over the 8 x 8 grid');
    expect(version('v4').unfit(lenet, { ...ctx.limits, maxComputeWorkgroupStorageSize: 1024 })).toBe(`its wgrad pass needs 4096 bytes of workgroup memory, over the device's 1024`);
    // A 17x17 kernel: the input gradient stages 289 steps x 16 channels of weights.
    const wide = conv2dGeom([1, 16, 40, 40], [16, 16, 17, 17]);
    expect(version('v4').unfit(wide, { ...ctx.limits, maxComputeWorkgroupStorageSize: 16384 })).toBe(`its dgrad pass needs ${289 * 16 * 4} bytes of workgroup memory, over the device's 16384`);
  });

  it('v5 splits the weight gradient so a big layer fills a GPU, in chunks of 1,024 pixels or more, the partials within the limits', async () => {
    const ctx = await gpu();
    const cnn = [conv2dGeom([256, 1, 28, 28], [32, 1, 3, 3], { padding: 1 }), conv2dGeom([256, 32, 14, 14], [64, 32, 3, 3], { padding: 1, relu: true })];
    for (const g of cnn) {
      const Z = v5Chunks(g, ctx.limits), NJ = g.N * g.OH * g.OW;
      expect(Z * v4Workgroups(g).wgrad, name(g)).toBeGreaterThanOrEqual(256);
      expect(Math.floor(NJ / Z), name(g)).toBeGreaterThanOrEqual(1024);
      expect(Z * g.K * (g.C * 9 + 1) * 4, name(g)).toBeLessThanOrEqual(64 * 2 ** 20);
    }
    // A small layer stays in one chunk; a small binding limit caps the chunks, then makes v5 unfit.
    const L = ctx.limits;
    const limits = (over: Partial<Limits>): Limits => ({
      maxStorageBufferBindingSize: L.maxStorageBufferBindingSize, maxBufferSize: L.maxBufferSize, maxComputeWorkgroupsPerDimension: L.maxComputeWorkgroupsPerDimension,
      maxComputeWorkgroupStorageSize: L.maxComputeWorkgroupStorageSize, maxComputeInvocationsPerWorkgroup: L.maxComputeInvocationsPerWorkgroup, ...over,
    });
    const lenet = conv2dGeom([64, 1, 28, 28], [6, 1, 5, 5], { padding: 2 });
    const small = conv2dGeom([2, 3, 8, 8], [4, 3, 3, 3]);
    expect(v5Chunks(small, ctx.limits)).toBe(1);
    expect(conv2dV5Split(9).unfit(small, limits({ maxComputeWorkgroupsPerDimension: 4 }))).toBe('its split weight-gradient pass needs 18 workgroups, over the 4 x 4 grid');
    expect(v5Chunks(lenet, ctx.limits)).toBe(49);
    expect(v5Chunks(lenet, limits({ maxStorageBufferBindingSize: 4096 }))).toBe(6);
    expect(version('v5').unfit(lenet, limits({ maxStorageBufferBindingSize: 512 }))).toBe("its weight-gradient partials scratch [1, 6, 26] needs 624 bytes, over the device's 512");
    expect(version('v5').unfit(lenet, limits({ maxComputeWorkgroupStorageSize: 1024 }))).toBe(`its wgrad pass needs 4096 bytes of workgroup memory, over the device's 1024`);
  });

  it('the forced v5 split cases have several chunks, the last ragged', () => {
    for (const { g, Z } of CONV2D_SPLIT_CASES) {
      const NJ = g.N * g.OH * g.OW, len = Math.ceil(NJ / Z);
      expect(evenChunks(NJ, Z), name(g)).toBe(Z);
      expect(NJ % len, name(g)).not.toBe(0);
    }
  });

  it('v5 weight and bias gradients are bit-identical run to run (default and forced chunks)', async () => {
    const ctx = await gpu();
    const big = conv2dGeom([8, 3, 17, 16], [8, 3, 3, 3], { padding: 1, relu: true });
    expect(v5Chunks(big, ctx.limits)).toBeGreaterThan(1);
    const cases = [[version('v5'), big], [conv2dV5Split(9), conv2dGeom([4, 3, 23, 21], [5, 3, 3, 3], { stride: 2, padding: 1 })]] as const;
    for (const [v, g] of cases) {
      const { x, w, b, dy } = inputs(ctx, g, 21);
      const plan = v.plan(ctx, g, poisoned(ctx));
      await exec(ctx, ...(await plan.forward(x.t, w.t, b.t, output(ctx, yShape(g)))));
      const runs = [];
      for (let i = 0; i < 2; i++) {
        const dw = output(ctx, w.t.shape), db = output(ctx, [g.K]);
        await exec(ctx, ...(await plan.packGrad(dy.t, { dx: false })), ...(await plan.backwardWeight(dw)), ...(await plan.backwardBias(db)));
        runs.push([...(await read(ctx, dw)), ...(await read(ctx, db))]);
      }
      expect(runs[0].some((e) => e !== 0), name(g)).toBe(true);
      expect(runs[1], name(g)).toEqual(runs[0]);
    }
  });

  it('entry points refuse to run out of order or on wrong shapes', async () => {
    const ctx = await gpu();
    const g = CONV2D_CASES[3];
    const { x, w, b, dy } = inputs(ctx, g, 7);
    for (const v of versions) {
      const plan = v.plan(ctx, g, poisoned(ctx));
      expect(() => plan.packGrad(dy.t)).toThrow(`conv2d.${v.name}: forward must come before packGrad`);
      expect(() => plan.forward(x.t, w.t, b.t, output(ctx, [g.N, g.K + 1, g.OH, g.OW]))).toThrow(/conv2d output: expected shape/);
      await plan.forward(x.t, w.t, b.t, output(ctx, yShape(g)));
      expect(() => plan.backwardWeight(output(ctx, w.t.shape))).toThrow(`conv2d.${v.name}: packGrad must come first and include the weight gradient`);
      await plan.packGrad(dy.t, { dx: true, dw: false, db: false });
      expect(() => plan.backwardBias(output(ctx, [g.K]))).toThrow(/include the bias gradient/);
      expect(() => plan.backwardInput(output(ctx, [1, 1, 1, 1]))).toThrow(/conv2d grad input: expected shape/);
      // A plan made without the input gradient (its scratch not declared) refuses to take it.
      const noDx = v.plan(ctx, g, poisoned(ctx), { grads: { dx: false } });
      await noDx.forward(x.t, w.t, b.t, output(ctx, yShape(g)));
      expect(() => noDx.packGrad(dy.t)).toThrow(`conv2d.${v.name}: planned without the input gradient`);
      await noDx.packGrad(dy.t, { dx: false });
    }
  });

  it('the autograd op takes the version the policy chooses and records it', async () => {
    const ctx = await gpu();
    const g = new Graph(ctx);
    const s = CONV2D_CASES[5];
    const { x, w, b } = inputs(ctx, s, 9);
    await F.conv2d(g, g.input(x.t), g.input(w.t), g.input(b.t), { stride: s.SH, padding: s.PH });
    const d = ctx.select.decisions.find((e) => e.family === 'conv2d' && e.shape === name(s));
    expect(d, 'a conv2d decision').toBeDefined();
    // The forward pass is the chosen version's own (v5 shares v4's).
    const fwd = g.forward.map((f) => f.kernel).filter((k) => k.startsWith('conv2d.fwd.'));
    expect(fwd).toHaveLength(1);
    expect(version(d!.version).kernels.map((k) => k.name)).toContain(fwd[0]);
    g.destroy();
  });

  it('rejects unsupported arguments with a clear error', () => {
    expect(() => conv2dGeom([2, 3, 5, 5], [4, 2, 3, 3])).toThrow(/weight has 2 input channels, input has 3/);
    expect(() => conv2dGeom([1, 1, 5, 5], [1, 1, 3, 3], { stride: 0 })).toThrow(/stride must be an integer >= 1/);
    expect(() => conv2dGeom([1, 1, 5, 5], [1, 1, 3, 3], { padding: 0.5 })).toThrow(/padding must be an integer >= 0/);
    expect(() => conv2dGeom([1, 1, 2, 2], [1, 1, 5, 5])).toThrow(/does not fit/);
    expect(() => conv2dGeom([1, 5, 5], [1, 1, 3, 3])).toThrow(/NCHW/);
  });
});

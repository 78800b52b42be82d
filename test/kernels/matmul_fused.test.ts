// matmul's fused shapes (v5, v6) against the float64 reference: a dense layer's forward with its
// bias and ReLU epilogue, and both gradients with ReLU's mask on the loaded output gradient and
// the bias gradient as row sums. Versions that fuse nothing must refuse the shapes in words.
import { describe, expect, it } from 'vitest';
import { matmul, matmulFamily, type MatmulOpts, type MatmulShape } from '../../src/kernels/matmul/family.js';
import { MATMUL_FUSED_CASES } from '../../src/kernels/matmul/cases.js';
import { matmulChecks } from '../../src/kernels/matmul/check.js';
import { matmulFusedRef } from '../../src/kernels/matmul/ref.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { exec, gpu, output, rand, read } from '../helpers/gpu.js';
import { expectClose, FWD } from '../helpers/check.js';

/** Seeded operands for shape s, and the matmul options that ask for its fusions. */
function operands(ctx: GpuContext, s: MatmulShape, seed: number, C = output(ctx, [s.M, s.N])) {
  const f = s.fuse ?? {}, aShape = s.transA ? [s.K, s.M] : [s.M, s.K];
  const A = rand(ctx, aShape, seed), B = rand(ctx, s.transB ? [s.N, s.K] : [s.K, s.N], seed + 1);
  const y = f.maskA ? rand(ctx, aShape, seed + 2) : undefined, bias = f.bias ? rand(ctx, [s.N], seed + 3) : undefined;
  const z = f.maskC ? rand(ctx, [s.M, s.N], seed + 4) : undefined, sums = f.rowSums ? output(ctx, [s.M]) : undefined;
  const opts: MatmulOpts = { transA: s.transA, transB: s.transB, relu: f.relu, bias: bias?.t, maskBy: y?.t, maskOut: z?.t, rowSums: sums };
  const want = matmulFusedRef(A.v, B.v, s.M, s.N, s.K, s.transA, s.transB, { y: y?.v, bias: bias?.v, relu: f.relu, z: z?.v });
  return { A, B, C, sums, opts, want };
}

// The fused shapes of the grid (MATMUL_FUSED_CASES), every version, run in matmul.test.ts from
// the shared check (src/kernels/matmul/check.ts) that selftest runs too; here what the grid does not cover.
describe('matmul fused shapes vs float64 reference', () => {
  it('the shared matmul checks hold every version at every fused shape', () => {
    const fused = matmulChecks().filter((c) => MATMUL_FUSED_CASES.some((s) => c.shape === matmulFamily.describe(s)));
    expect(fused).toHaveLength(matmulFamily.versions.length * MATMUL_FUSED_CASES.length);
  });

  it.each(['v5', 'v6'])('%s accumulates into C and the row sums through both masks', async (version) => {
    const ctx = await gpu();
    const s: MatmulShape = { M: 12, N: 20, K: 8, transA: true, transB: false, fuse: { maskA: true, maskC: true, rowSums: true } };
    const C0 = rand(ctx, [s.M, s.N], 40), S0 = rand(ctx, [s.M], 41);
    const { A, B, opts, want } = operands(ctx, s, 30, C0.t);
    await exec(ctx, matmul(ctx, A.t, B.t, C0.t, { ...opts, rowSums: S0.t, accumulate: true, version }));
    expectClose('C += AB', await read(ctx, C0.t), want.C.map((v, i) => v + C0.v[i]), FWD.atol * 3, FWD.rtol);
    expectClose('sums += rows', await read(ctx, S0.t), want.sums.map((v, i) => v + S0.v[i]), FWD.atol * 3, FWD.rtol);
  });

  it('says what a version cannot fuse, and refuses tensors the shape does not match', async () => {
    const ctx = await gpu();
    const s: MatmulShape = { M: 8, N: 4, K: 8, transA: false, transB: true, fuse: { bias: true, relu: true } };
    expect(matmulFamily.versions.find((v) => v.name === 'v4')!.unfit(s, ctx.limits)).toBe('it fuses nothing into the GEMM (asked for: bias, ReLU); v5 and v6 do');
    expect(matmulFamily.versions.find((v) => v.name === 'v5')!.unfit({ ...s, K: 6 }, ctx.limits)).toBe('K=6 is not a multiple of 4');
    const { A, B, C, opts } = operands(ctx, s, 50);
    expect(() => matmul(ctx, A.t, B.t, C, { ...opts, accumulate: true, version: 'v6' })).toThrow('matmul.v6: accumulating into C does not combine with a bias or ReLU epilogue');
    expect(() => matmul(ctx, A.t, B.t, C, { ...opts, bias: rand(ctx, [5], 1).t })).toThrow(/matmul bias: expected shape \[4\]/);
    expect(() => matmul(ctx, A.t, B.t, C, { ...opts, maskBy: rand(ctx, [8, 4], 1).t })).toThrow(/matmul ReLU mask: expected shape \[8, 8\]/);
  });
});

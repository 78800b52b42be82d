import { describe, expect, it } from 'vitest';
import { matmul, matmulFamily } from '../../src/kernels/matmul/family.js';
import { MATMUL_CASES } from '../../src/kernels/matmul/cases.js';
import { matmulRef } from '../../src/kernels/matmul/ref.js';
import { exec, gpu, output, rand, read } from '../helpers/gpu.js';
import { expectClose, FWD } from '../helpers/check.js';

const cases = matmulFamily.versions.flatMap((v) => MATMUL_CASES.map((s) => [`${v.name} ${matmulFamily.describe(s)}`, v.name, s] as const));

describe('matmul family vs float64 reference', () => {
  it.each(cases)('%s', async (_n, version, s) => {
    const ctx = await gpu();
    const { M, N, K, transA, transB } = s;
    const A = rand(ctx, transA ? [K, M] : [M, K], M * 7 + K);
    const B = rand(ctx, transB ? [N, K] : [K, N], N * 11 + K);
    const C = output(ctx, [M, N]);
    const why = matmulFamily.versions.find((v) => v.name === version)!.unfit(s, ctx.limits);
    if (why) {
      // An unfit version refuses with its reason; it never runs and guesses.
      expect(() => matmul(ctx, A.t, B.t, C, { transA, transB, version })).toThrow(`matmul.${version}: ${why}`);
      return;
    }
    await exec(ctx, matmul(ctx, A.t, B.t, C, { transA, transB, version }));
    // Sums of K products of [-1,1] values: scale atol with sqrt(K) for f32 rounding.
    expectClose('C', await read(ctx, C), matmulRef(A.v, B.v, M, N, K, transA, transB), FWD.atol * Math.sqrt(K), FWD.rtol);
  });

  it.each(matmulFamily.versions.map((v) => v.name))('%s accumulates into C', async (version) => {
    const ctx = await gpu();
    const [M, N, K] = [9, 16, 20];
    const A = rand(ctx, [M, K], 1), B = rand(ctx, [K, N], 2), C = rand(ctx, [M, N], 3);
    await exec(ctx, matmul(ctx, A.t, B.t, C.t, { accumulate: true, version }));
    const want = matmulRef(A.v, B.v, M, N, K).map((v, i) => v + C.v[i]);
    expectClose('C += AB', await read(ctx, C.t), want, FWD.atol * 5, FWD.rtol);
  });

  it('v4 is unfit, in words, where its vec4 axes are not multiples of 4', async () => {
    const ctx = await gpu();
    const v4 = matmulFamily.versions.find((v) => v.name === 'v4')!;
    expect(v4.unfit({ M: 5, N: 12, K: 8, transA: true, transB: false }, ctx.limits)).toBe('M=5 is not a multiple of 4 (A is transposed)');
    expect(v4.unfit({ M: 8, N: 12, K: 6, transA: false, transB: false }, ctx.limits)).toBe('K=6 is not a multiple of 4');
    expect(v4.unfit({ M: 8, N: 12, K: 8, transA: false, transB: false }, ctx.limits)).toBeNull();
  });

  it('rejects mismatched shapes', async () => {
    const ctx = await gpu();
    const A = rand(ctx, [3, 4], 1), B = rand(ctx, [5, 6], 2);
    expect(() => matmul(ctx, A.t, B.t, output(ctx, [3, 6]))).toThrow(/inner dimensions differ \(4 vs 5\)/);
    expect(() => matmul(ctx, A.t, rand(ctx, [4, 6], 3).t, output(ctx, [3, 5]))).toThrow(/expected shape \[3, 6\]/);
  });
});

import { describe, expect, it } from 'vitest';
import { matmul, matmulFamily } from '../../src/kernels/matmul/family.js';
import { matmulChecks } from '../../src/kernels/matmul/check.js';
import { gpu, output, passes, rand, rows } from '../helpers/gpu.js';

describe('matmul family vs float64 reference', () => {
  it.each(rows(matmulChecks()))('%s', (_n, c) => passes(c));

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

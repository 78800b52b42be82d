import { describe, expect, it } from 'vitest';
import { matmul, vec4Unsupported } from '../../src/ops/matmul.js';
import { versions } from '../../src/kernels/registry.js';
import { matmulRef } from '../../src/ref/dense.js';
import { exec, gpu, output, rand, read } from '../helpers/gpu.js';
import { expectClose, FWD } from '../helpers/check.js';

// Odd sizes straddle the 8x8 and 16x16 tiles; K=1 and M=1 cover degenerate shapes.
// The vec4 v4 needs multiples of 4 on its load axes: [5,12,8], [12,20,36], [68,84,132] give it odd
// M (or N with B^T) in every mode; on the other shapes it must refuse, not guess.
const shapes: Array<[number, number, number]> = [[1, 1, 1], [1, 10, 7], [7, 5, 3], [17, 33, 19], [64, 10, 120], [33, 65, 129], [5, 12, 8], [12, 20, 36], [68, 84, 132], [9, 7, 4]];
const modes = [[false, false], [false, true], [true, false], [true, true]] as const;
const cases = versions('matmul').flatMap((d) =>
  shapes.flatMap(([M, N, K]) => modes.map(([ta, tb]) => [`${d.name} M${M} N${N} K${K}${ta ? ' A^T' : ''}${tb ? ' B^T' : ''}`, d.name.split('.')[1], M, N, K, ta, tb] as const)));

describe('matmul kernels vs float64 reference', () => {
  it('registers a v1 baseline, a tiled v2, a register-blocked v3 and a vec4 v4', () => {
    expect(versions('matmul').map((d) => d.name)).toEqual(['matmul.v1', 'matmul.v2', 'matmul.v3', 'matmul.v4']);
  });

  it.each(cases)('%s', async (_n, version, M, N, K, transA, transB) => {
    const ctx = await gpu();
    const A = rand(ctx, transA ? [K, M] : [M, K], M * 7 + K);
    const B = rand(ctx, transB ? [N, K] : [K, N], N * 11 + K);
    const C = output(ctx, [M, N]);
    const why = version === 'v4' ? vec4Unsupported(M, N, K, transA, transB) : null;
    if (why) {
      expect(() => matmul(ctx, A.t, B.t, C, { transA, transB, version })).toThrow(`matmul.v4: ${why}`);
      return;
    }
    await exec(ctx, matmul(ctx, A.t, B.t, C, { transA, transB, version }));
    // Sums of K products of [-1,1] values: scale atol with sqrt(K) for f32 rounding.
    expectClose('C', await read(ctx, C), matmulRef(A.v, B.v, M, N, K, transA, transB), FWD.atol * Math.sqrt(K), FWD.rtol);
  });

  it.each(['v1', 'v2', 'v3', 'v4'])('%s accumulates into C', async (version) => {
    const ctx = await gpu();
    const [M, N, K] = [9, 16, 20];
    const A = rand(ctx, [M, K], 1), B = rand(ctx, [K, N], 2), C = rand(ctx, [M, N], 3);
    await exec(ctx, matmul(ctx, A.t, B.t, C.t, { accumulate: true, version }));
    const want = matmulRef(A.v, B.v, M, N, K).map((v, i) => v + C.v[i]);
    expectClose('C += AB', await read(ctx, C.t), want, FWD.atol * 5, FWD.rtol);
  });

  it('rejects mismatched shapes', async () => {
    const ctx = await gpu();
    const A = rand(ctx, [3, 4], 1), B = rand(ctx, [5, 6], 2);
    expect(() => matmul(ctx, A.t, B.t, output(ctx, [3, 6]))).toThrow(/inner dimensions differ \(4 vs 5\)/);
    expect(() => matmul(ctx, A.t, rand(ctx, [4, 6], 3).t, output(ctx, [3, 5]))).toThrow(/expected shape \[3, 6\]/);
  });
});

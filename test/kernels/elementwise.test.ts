import { describe, expect, it } from 'vitest';
import { add, axpy, fill, reduceSum, reluBackward, reluForward, scale } from '../../src/ops/elementwise.js';
import { biasAdd, biasGrad } from '../../src/ops/bias.js';
import { biasAddRef, biasGradRef } from '../../src/ref/conv2d.js';
import { reluBwdRef, reluRef, sumRef } from '../../src/ref/dense.js';
import { exec, gpu, output, rand, read } from '../helpers/gpu.js';
import { expectClose, FWD, GRAD } from '../helpers/check.js';

const sizes = [1, 63, 64, 65, 1000, 4097];

describe('elementwise kernels vs float64 reference', () => {
  it.each(sizes)('relu fwd/bwd, add, scale, axpy, fill on n=%i', async (n) => {
    const ctx = await gpu();
    const x = rand(ctx, [n], n), dy = rand(ctx, [n], n + 1), b = rand(ctx, [n], n + 2);
    const y = output(ctx, [n]), dx = output(ctx, [n]), s = output(ctx, [n]), sc = output(ctx, [n]), f = output(ctx, [n]);
    const acc = rand(ctx, [n], n + 3);
    await exec(ctx, reluForward(ctx, x.t, y), reluBackward(ctx, x.t, dy.t, dx), add(ctx, x.t, b.t, s),
      scale(ctx, x.t, -0.75, sc), axpy(ctx, 0.5, x.t, acc.t), fill(ctx, f, 0.25));
    expectClose('relu fwd', await read(ctx, y), reluRef(x.v), 0, 0);
    expectClose('relu bwd', await read(ctx, dx), reluBwdRef(x.v, dy.v), 0, 0);
    expectClose('add', await read(ctx, s), x.v.map((v, i) => v + b.v[i]), FWD.atol, FWD.rtol);
    expectClose('scale', await read(ctx, sc), Array.from(x.v, (v) => -0.75 * v), FWD.atol, FWD.rtol);
    expectClose('axpy', await read(ctx, acc.t), Array.from(x.v, (v, i) => acc.v[i] + 0.5 * v), FWD.atol, FWD.rtol);
    expectClose('fill', await read(ctx, f), new Array(n).fill(0.25), 0, 0);
  });

  it.each([[1, 1, 1], [3, 7, 1], [2, 3, 25], [5, 16, 13]])('bias add N%i C%i S%i', async (N, C, S) => {
    const ctx = await gpu();
    const y = rand(ctx, [N, C, S], N * C * S), b = rand(ctx, [C], C);
    await exec(ctx, biasAdd(ctx, y.t, b.t));
    expectClose('bias add', await read(ctx, y.t), biasAddRef(y.v, b.v, N, C, S), FWD.atol, FWD.rtol);
  });

  // C=130 spans three 64-wide workgroups of v2; S=1 is the dense case.
  it.each(['v1', 'v2'] as const)('bias grad %s, fresh and accumulated, over [N, C, S] grids', async (version) => {
    const ctx = await gpu();
    for (const [N, C, S] of [[1, 1, 1], [64, 130, 1], [3, 7, 25], [2, 5, 301]]) {
      const dy = rand(ctx, [N, C, S], N + C + S), db = output(ctx, [C]), db0 = rand(ctx, [C], C + 1);
      await exec(ctx, biasGrad(ctx, dy.t, db, { version }), biasGrad(ctx, dy.t, db0.t, { version, accumulate: true }));
      const want = biasGradRef(dy.v, N, C, S);
      expectClose(`db N${N} C${C} S${S}`, await read(ctx, db), want, GRAD.atol, GRAD.rtol);
      expectClose(`db += N${N} C${C} S${S}`, await read(ctx, db0.t), want.map((v, i) => v + db0.v[i]), GRAD.atol, GRAD.rtol);
    }
  });

  it.each([1, 255, 256, 257, 10007])('sum and mean of n=%i', async (n) => {
    const ctx = await gpu();
    const x = rand(ctx, [n], n * 3);
    const s = output(ctx, [1]), m = output(ctx, [1]);
    await exec(ctx, reduceSum(ctx, x.t, s), reduceSum(ctx, x.t, m, { mean: true }));
    const want = sumRef(x.v);
    expectClose('sum', await read(ctx, s), [want], 1e-5 * Math.sqrt(n), 1e-4);
    expectClose('mean', await read(ctx, m), [want / n], 1e-5, 1e-4);
  });

  it('splits a dispatch wider than 65535 workgroups into a 2-D grid', async () => {
    const ctx = await gpu();
    const n = 65535 * 64 + 4099; // one past what a 1-D grid of 64-wide workgroups can cover
    const x = rand(ctx, [n], 99);
    const y = output(ctx, [n]);
    const d = await reluForward(ctx, x.t, y);
    expect(d.grid[1]).toBeGreaterThan(1);
    expect(d.grid[0]).toBeLessThanOrEqual(ctx.limits.maxComputeWorkgroupsPerDimension);
    await exec(ctx, d);
    expectClose('relu over 2-D grid', await read(ctx, y), reluRef(x.v), 0, 0);
  });

  it('rejects shape mismatches', async () => {
    const ctx = await gpu();
    expect(() => add(ctx, rand(ctx, [4], 1).t, rand(ctx, [5], 2).t, output(ctx, [4]))).toThrow(/add rhs: expected shape \[4\]/);
    expect(() => biasAdd(ctx, rand(ctx, [2, 3], 1).t, rand(ctx, [2], 2).t)).toThrow(/bias: expected shape \[3\]/);
  });
});

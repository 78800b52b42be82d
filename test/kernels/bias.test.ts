import { describe, expect, it } from 'vitest';
import { biasAdd, biasFamily, biasGrad } from '../../src/kernels/bias/family.js';
import { BIAS_CASES } from '../../src/kernels/bias/cases.js';
import { biasAddRef, biasGradRef } from '../../src/kernels/bias/ref.js';
import { SelectionPolicy } from '../../src/kernels/select.js';
import { exec, gpu, output, rand, read } from '../helpers/gpu.js';
import { expectClose, FWD, GRAD } from '../helpers/check.js';

const cases = biasFamily.versions.flatMap((v) => BIAS_CASES.map((s) => [`${v.name} ${biasFamily.describe(s)}`, v.name, s] as const));

describe('bias family vs float64 reference', () => {
  it('has the v1 baseline first', () => expect(biasFamily.versions.map((v) => v.name)).toEqual(['v1', 'v2']));

  it.each(cases)('add, and grad fresh and accumulated: %s', async (_n, version, s) => {
    const ctx = await gpu();
    const { N, C, S } = s;
    const y = rand(ctx, [N, C, S], N * C * S), b = rand(ctx, [C], C);
    const dy = rand(ctx, [N, C, S], N + C + S), db = output(ctx, [C]), db0 = rand(ctx, [C], C + 1);
    const why = biasFamily.versions.find((v) => v.name === version)!.unfit(s, ctx.limits);
    if (why) {
      expect(() => biasGrad(ctx, dy.t, db, { version })).toThrow(`bias.${version}: ${why}`);
      return;
    }
    await exec(ctx, biasAdd(ctx, y.t, b.t, version));
    expectClose('bias add', await read(ctx, y.t), biasAddRef(y.v, b.v, N, C, S), FWD.atol, FWD.rtol);
    await exec(ctx, biasGrad(ctx, dy.t, db, { version }), biasGrad(ctx, dy.t, db0.t, { version, accumulate: true }));
    const want = biasGradRef(dy.v, N, C, S);
    expectClose('db', await read(ctx, db), want, GRAD.atol, GRAD.rtol);
    expectClose('db +=', await read(ctx, db0.t), want.map((v, i) => v + db0.v[i]), GRAD.atol, GRAD.rtol);
  });

  it('prefers v2 while each channel sums at most 4,096 values, v1 past that; unfit in words', async () => {
    const ctx = await gpu();
    const builtIn = new SelectionPolicy({ autotune: false });
    expect((await builtIn.choose(ctx, biasFamily, { N: 64, C: 130, S: 64 })).name).toBe('v2');
    expect((await builtIn.choose(ctx, biasFamily, { N: 64, C: 6, S: 65 })).name).toBe('v1');
    const max = ctx.limits.maxComputeWorkgroupsPerDimension;
    expect(biasFamily.versions[0].unfit({ N: 1, C: max + 1, S: 1 }, ctx.limits)).toBe(`its ${max + 1} workgroups (one per channel) exceed ${max}`);
    expect(biasFamily.versions[1].unfit({ N: 1, C: max + 1, S: 1 }, ctx.limits)).toBeNull();
    // The policy passes over an unfit version rather than failing.
    expect((await builtIn.choose(ctx, biasFamily, { N: 64, C: max + 1, S: 128 })).name).toBe('v2');
  });

  it('chooses through the context policy when no version is named', async () => {
    const ctx = await gpu();
    const dy = rand(ctx, [3, 5, 7], 4), db = output(ctx, [5]);
    await exec(ctx, biasGrad(ctx, dy.t, db));
    expectClose('db', await read(ctx, db), biasGradRef(dy.v, 3, 5, 7), GRAD.atol, GRAD.rtol);
    expect(ctx.select.decisions.some((d) => d.family === 'bias' && d.shape === biasFamily.describe({ N: 3, C: 5, S: 7 }))).toBe(true);
  });

  it('rejects shape mismatches', async () => {
    const ctx = await gpu();
    expect(() => biasAdd(ctx, rand(ctx, [2, 3], 1).t, rand(ctx, [2], 2).t)).toThrow(/bias: expected shape \[3\]/);
    expect(() => biasGrad(ctx, rand(ctx, [2, 3], 1).t, output(ctx, [2]))).toThrow(/bias grad: expected shape \[3\]/);
    expect(() => biasAdd(ctx, rand(ctx, [3], 1).t, rand(ctx, [3], 2).t)).toThrow(/at least 2-D/);
  });
});

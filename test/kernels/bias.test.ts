import { describe, expect, it } from 'vitest';
import { biasAdd, biasFamily, biasGrad } from '../../src/kernels/bias/family.js';
import { biasGradRef } from '../../src/kernels/bias/ref.js';
import { biasChecks } from '../../src/kernels/bias/check.js';
import { SelectionPolicy } from '../../src/kernels/select.js';
import { exec, gpu, output, passes, rand, read, rows } from '../helpers/gpu.js';
import { expectClose, GRAD } from '../helpers/check.js';


describe('bias family vs float64 reference', () => {
  it('has the v1 baseline first', () => expect(biasFamily.versions.map((v) => v.name)).toEqual(['v1', 'v2']));

  it.each(rows(biasChecks()))('add, and grad fresh and accumulated: %s', (_n, c) => passes(c));

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

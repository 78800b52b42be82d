import { describe, expect, it } from 'vitest';
import { reluBackward, reluFamily, reluForward } from '../../src/kernels/activation/family.js';
import { reluRef } from '../../src/kernels/activation/ref.js';
import { reluChecks } from '../../src/kernels/activation/check.js';
import { exec, gpu, output, passes, rand, read, rows } from '../helpers/gpu.js';
import { expectClose } from '../helpers/check.js';


describe('relu family vs float64 reference', () => {
  it.each(rows(reluChecks()))('fwd and bwd: %s', (_n, c) => passes(c));

  it.each(reluFamily.versions.map((v) => v.name))('%s splits a dispatch wider than 65535 workgroups into a 2-D grid', async (version) => {
    const ctx = await gpu();
    const n = 65535 * 64 + 4099; // one past what a 1-D grid of 64-wide workgroups can cover
    const x = rand(ctx, [n], 99);
    const y = output(ctx, [n]);
    const d = await reluForward(ctx, x.t, y, version);
    expect(d.grid[1]).toBeGreaterThan(1);
    expect(d.grid[0]).toBeLessThanOrEqual(ctx.limits.maxComputeWorkgroupsPerDimension);
    await exec(ctx, d);
    expectClose('relu over 2-D grid', await read(ctx, y), reluRef(x.v), 0, 0);
  });

  it('is unfit, in words, past the 2-D grid; rejects shape mismatches', async () => {
    const ctx = await gpu();
    const max = ctx.limits.maxComputeWorkgroupsPerDimension;
    expect(reluFamily.versions[0].unfit({ n: max * max * 64 + 1 }, ctx.limits)).toBe(`its ${max * max * 64 + 1} invocations exceed a ${max}x${max} grid of 64-wide workgroups`);
    expect(reluFamily.versions[0].unfit({ n: max * max * 64 }, ctx.limits)).toBeNull();
    expect(() => reluForward(ctx, rand(ctx, [4], 1).t, output(ctx, [5]))).toThrow(/relu output: expected shape \[4\]/);
    expect(() => reluBackward(ctx, rand(ctx, [4], 1).t, rand(ctx, [4], 2).t, output(ctx, [2, 2]))).toThrow(/relu grad input: expected shape \[4\]/);
  });
});

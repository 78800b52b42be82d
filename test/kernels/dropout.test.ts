import { describe, expect, it } from 'vitest';
import { dropoutBackward, dropoutFamily, dropoutForward } from '../../src/kernels/dropout/family.js';
import { dropoutChecks } from '../../src/kernels/dropout/check.js';
import { dropoutMaskRef } from '../../src/kernels/dropout/ref.js';
import { exec, gpu, output, passes, rand, read, rows } from '../helpers/gpu.js';
import { expectClose } from '../helpers/check.js';

const versions = dropoutFamily.versions.map((v) => v.name);

describe('dropout family vs its CPU twin', () => {
  it.each(rows(dropoutChecks()))('%s', (_n, c) => passes(c));

  // The training step rewrites the seed of its recorded dropouts every step: by name, nothing else moves.
  it.each(versions)('%s: set("seed") on a recorded forward gives the new seed\'s mask at the same rate', async (version) => {
    const ctx = await gpu();
    const n = 2000, rate = 0.3;
    const x = rand(ctx, [n], 5), mask = output(ctx, [n]), y = output(ctx, [n]);
    const d = await dropoutForward(ctx, x.t, mask, y, rate, 1, { version });
    await exec(ctx, d);
    expectClose('mask (seed 1)', await read(ctx, mask), dropoutMaskRef(n, 1, rate), 0, 1e-6);
    d.set('seed', 0xfeedbeef);
    await exec(ctx, d);
    expectClose('mask (seed 0xfeedbeef)', await read(ctx, mask), dropoutMaskRef(n, 0xfeedbeef, rate), 0, 1e-6);
    expect(() => d.set('sead', 1)).toThrow(/unknown uniform 'sead'/);
    expect(() => d.set('seed', -1)).toThrow(/is not a u32/);
  });

  it('drops close to `rate` of the elements, and another seed gives another mask', () => {
    const n = 100_000;
    for (const rate of [0.1, 0.5, 0.8]) {
      const a = dropoutMaskRef(n, 1, rate), b = dropoutMaskRef(n, 2, rate);
      const dropped = a.filter((v) => v === 0).length / n;
      expect(Math.abs(dropped - rate)).toBeLessThan(0.01);
      expect(a.some((v, i) => v !== b[i])).toBe(true);
    }
  });

  it('rejects a rate outside [0, 1) and mismatched shapes', async () => {
    const ctx = await gpu();
    const x = rand(ctx, [4], 1);
    expect(() => dropoutForward(ctx, x.t, output(ctx, [4]), output(ctx, [4]), 1, 0)).toThrow(/rate must be in \[0, 1\)/);
    expect(() => dropoutForward(ctx, x.t, output(ctx, [4]), output(ctx, [4]), NaN, 0)).toThrow(/rate must be in \[0, 1\)/);
    expect(() => dropoutForward(ctx, x.t, output(ctx, [5]), output(ctx, [4]), 0.5, 0)).toThrow(/dropout mask: expected shape \[4\]/);
    expect(() => dropoutBackward(ctx, x.t, output(ctx, [4]), output(ctx, [2, 2]))).toThrow(/dropout grad input: expected shape \[4\]/);
  });
});

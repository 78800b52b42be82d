import { describe, expect, it } from 'vitest';
import { reduceFamily, reduceSum } from '../../src/kernels/reduce/family.js';
import { REDUCE_CASES } from '../../src/kernels/reduce/cases.js';
import { sumRef } from '../../src/kernels/reduce/ref.js';
import { exec, gpu, output, rand, read } from '../helpers/gpu.js';
import { expectClose } from '../helpers/check.js';

const cases = reduceFamily.versions.flatMap((v) => REDUCE_CASES.map((s) => [`${v.name} ${reduceFamily.describe(s)}`, v.name, s] as const));

describe('reduce family vs float64 reference', () => {
  it.each(cases)('sum and mean: %s', async (_n, version, { n }) => {
    const ctx = await gpu();
    const x = rand(ctx, [n], n * 3);
    const s = output(ctx, [1]), m = output(ctx, [1]);
    await exec(ctx, reduceSum(ctx, x.t, s, { version }), reduceSum(ctx, x.t, m, { mean: true, version }));
    const want = sumRef(x.v);
    expectClose('sum', await read(ctx, s), [want], 1e-5 * Math.sqrt(n), 1e-4);
    expectClose('mean', await read(ctx, m), [want / n], 1e-5, 1e-4);
  });

  it('rejects empty inputs and a wrong output shape', async () => {
    const ctx = await gpu();
    expect(() => reduceSum(ctx, output(ctx, [0]), output(ctx, [1]))).toThrow(/reduce: empty input/);
    expect(() => reduceSum(ctx, rand(ctx, [4], 1).t, output(ctx, [2]))).toThrow(/reduce output: expected shape \[1\]/);
  });
});

import { describe, expect, it } from 'vitest';
import { reduceSum } from '../../src/kernels/reduce/family.js';
import { reduceChecks } from '../../src/kernels/reduce/check.js';
import { gpu, output, passes, rand, rows } from '../helpers/gpu.js';


describe('reduce family vs float64 reference', () => {
  it.each(rows(reduceChecks()))('sum and mean: %s', (_n, c) => passes(c));

  it('rejects empty inputs and a wrong output shape', async () => {
    const ctx = await gpu();
    expect(() => reduceSum(ctx, output(ctx, [0]), output(ctx, [1]))).toThrow(/reduce: empty input/);
    expect(() => reduceSum(ctx, rand(ctx, [4], 1).t, output(ctx, [2]))).toThrow(/reduce output: expected shape \[1\]/);
  });
});

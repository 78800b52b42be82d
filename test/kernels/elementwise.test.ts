import { describe, expect, it } from 'vitest';
import { add, axpy, fill, scale } from '../../src/kernels/elementwise/family.js';
import { elementwiseChecks } from '../../src/kernels/elementwise/check.js';
import { gpu, output, passes, rand, rows } from '../helpers/gpu.js';


describe('elementwise family vs float64 reference', () => {
  it.each(rows(elementwiseChecks()))('add, scale, axpy, fill: %s', (_n, c) => passes(c));

  it('rejects shape mismatches, u32 fills and unknown versions', async () => {
    const ctx = await gpu();
    expect(() => add(ctx, rand(ctx, [4], 1).t, rand(ctx, [5], 2).t, output(ctx, [4]))).toThrow(/add rhs: expected shape \[4\]/);
    expect(() => axpy(ctx, 1, rand(ctx, [4], 1).t, output(ctx, [2, 2]))).toThrow(/axpy output: expected shape \[4\]/);
    expect(() => fill(ctx, output(ctx, [4], 'u32'), 0)).toThrow(/fill: expected f32/);
    expect(() => scale(ctx, rand(ctx, [4], 1).t, 2, output(ctx, [4]), 'v9')).toThrow(/elementwise has no version 'v9'/);
  });
});

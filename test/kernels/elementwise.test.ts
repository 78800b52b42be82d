import { describe, expect, it } from 'vitest';
import { add, axpy, elementwiseFamily, fill, scale } from '../../src/kernels/elementwise/family.js';
import { ELEMENTWISE_CASES } from '../../src/kernels/elementwise/cases.js';
import { addRef, axpyRef, fillRef, scaleRef } from '../../src/kernels/elementwise/ref.js';
import { exec, gpu, output, rand, read } from '../helpers/gpu.js';
import { expectClose, FWD } from '../helpers/check.js';

const cases = elementwiseFamily.versions.flatMap((v) => ELEMENTWISE_CASES.map((s) => [`${v.name} ${elementwiseFamily.describe(s)}`, v.name, s] as const));

describe('elementwise family vs float64 reference', () => {
  it.each(cases)('add, scale, axpy, fill: %s', async (_n, version, { n }) => {
    const ctx = await gpu();
    const x = rand(ctx, [n], n), b = rand(ctx, [n], n + 2), acc = rand(ctx, [n], n + 3);
    const s = output(ctx, [n]), sc = output(ctx, [n]), f = output(ctx, [n]);
    const why = elementwiseFamily.versions.find((v) => v.name === version)!.unfit({ n }, ctx.limits);
    if (why) {
      expect(() => add(ctx, x.t, b.t, s, version)).toThrow(`elementwise.${version}: ${why}`);
      return;
    }
    await exec(ctx, add(ctx, x.t, b.t, s, version), scale(ctx, x.t, -0.75, sc, version), axpy(ctx, 0.5, x.t, acc.t, version), fill(ctx, f, 0.25, version));
    expectClose('add', await read(ctx, s), addRef(x.v, b.v), FWD.atol, FWD.rtol);
    expectClose('scale', await read(ctx, sc), scaleRef(x.v, -0.75), FWD.atol, FWD.rtol);
    expectClose('axpy', await read(ctx, acc.t), axpyRef(0.5, x.v, acc.v), FWD.atol, FWD.rtol);
    expectClose('fill', await read(ctx, f), fillRef(n, 0.25), 0, 0);
  });

  it('rejects shape mismatches, u32 fills and unknown versions', async () => {
    const ctx = await gpu();
    expect(() => add(ctx, rand(ctx, [4], 1).t, rand(ctx, [5], 2).t, output(ctx, [4]))).toThrow(/add rhs: expected shape \[4\]/);
    expect(() => axpy(ctx, 1, rand(ctx, [4], 1).t, output(ctx, [2, 2]))).toThrow(/axpy output: expected shape \[4\]/);
    expect(() => fill(ctx, output(ctx, [4], 'u32'), 0)).toThrow(/fill: expected f32/);
    expect(() => scale(ctx, rand(ctx, [4], 1).t, 2, output(ctx, [4]), 'v9')).toThrow(/elementwise has no version 'v9'/);
  });
});

import { describe, expect, it } from 'vitest';
import { avgPool2dForward, maxPool2dBackward, maxPool2dFamily, maxPool2dForward, pool2dGeom, type Pool2dGeom } from '../../src/kernels/pool2d/family.js';
import { POOL2D_CASES, type Pool2dCase } from '../../src/kernels/pool2d/cases.js';
import { maxPoolBwdRef } from '../../src/kernels/pool2d/ref.js';
import { avgPool2dChecks, maxPool2dChecks } from '../../src/kernels/pool2d/check.js';
import { SelectionPolicy } from '../../src/kernels/select.js';
import { exec, gpu, output, passes, rand, read, rows } from '../helpers/gpu.js';
import { expectClose, expectEqual, GRAD } from '../helpers/check.js';

const oshape = (g: Pool2dGeom) => [g.N, g.C, g.OH, g.OW];
const inputs = (c: Pool2dCase) => c.x[2] * 31 + c.x[3];
const tiled = POOL2D_CASES.filter((c) => c.g.SH === c.g.KH && c.g.SW === c.g.KW && c.g.PH === 0 && c.g.PW === 0);

describe('maxpool2d family vs float64 reference', () => {
  it('has the v1 baseline first, and cases where v2 runs and where it refuses', () => {
    expect(maxPool2dFamily.versions.map((v) => v.name)).toEqual(['v1', 'v2', 'v3', 'v4']);
    expect(tiled.length).toBeGreaterThanOrEqual(4);
    expect(tiled.length).toBeLessThan(POOL2D_CASES.length);
  });

  it.each(rows(maxPool2dChecks()))('%s', (_n, c) => passes(c));

  // Tiling windows, with and without an uncovered remainder row/column.
  it.each(tiled.map((c) => [maxPool2dFamily.describe(c.g), c] as const))('v2 equals v1 bit for bit: %s', async (_n, c) => {
    const ctx = await gpu();
    const x = rand(ctx, c.x, inputs(c)), dy = rand(ctx, oshape(c.g), 7);
    const y = output(ctx, oshape(c.g)), idx = output(ctx, oshape(c.g), 'u32');
    const dx1 = output(ctx, c.x), dx2 = output(ctx, c.x);
    await exec(ctx, maxPool2dForward(ctx, x.t, y, idx, c.args));
    await exec(ctx, maxPool2dBackward(ctx, dy.t, idx, dx1, c.args, 'v1'), maxPool2dBackward(ctx, dy.t, idx, dx2, c.args, 'v2'));
    expectEqual('v2 = v1', await read(ctx, dx2), await read(ctx, dx1));
  });

  it('v2 is unfit, in words, for overlapping or padded windows; the built-in order takes it where windows tile', async () => {
    const ctx = await gpu();
    const v2 = maxPool2dFamily.versions[1];
    expect(v2.unfit(pool2dGeom([1, 1, 6, 6], { kernel: 3, stride: 1 }), ctx.limits)).toBe('v2 needs windows that tile the input: stride equal to the kernel and no padding (kernel 3x3, stride 1x1, padding 0x0)');
    expect(v2.unfit(pool2dGeom([1, 1, 6, 6], { kernel: 2, padding: 1 }), ctx.limits)).toMatch(/stride equal to the kernel and no padding \(kernel 2x2, stride 2x2, padding 1x1\)/);
    expect(v2.unfit(pool2dGeom([1, 1, 7, 6], { kernel: 2 }), ctx.limits)).toBeNull();
    const builtIn = new SelectionPolicy({ autotune: false });
    expect((await builtIn.choose(ctx, maxPool2dFamily, pool2dGeom([2, 3, 8, 8], { kernel: 2 }))).name).toBe('v2');
    expect((await builtIn.choose(ctx, maxPool2dFamily, pool2dGeom([2, 3, 8, 8], { kernel: 3, stride: 2 }))).name).toBe('v1');
    expect(builtIn.decisions.map((d) => d.why)).toEqual(['built-in order', 'only fit']);
  });

  it('v1 and v2 refuse a fused ReLU and v3 and v4 a plain pool, in words; the built-in order takes v4 where windows tile', async () => {
    const ctx = await gpu();
    const g = pool2dGeom([2, 3, 8, 8], { kernel: 2 });
    expect(maxPool2dFamily.versions[0].unfit({ ...g, relu: true }, ctx.limits)).toBe('it does not fuse the ReLU before the pool; v3 and v4 do');
    expect(maxPool2dFamily.versions[2].unfit(g, ctx.limits)).toBe('it always applies a ReLU before pooling, and this pool has none');
    const builtIn = new SelectionPolicy({ autotune: false });
    expect((await builtIn.choose(ctx, maxPool2dFamily, { ...g, relu: true })).name).toBe('v4');
    expect((await builtIn.choose(ctx, maxPool2dFamily, { ...pool2dGeom([2, 3, 8, 8], { kernel: 3, stride: 2 }), relu: true })).name).toBe('v3');
  });

  it('chooses through the context policy when no version is named', async () => {
    const ctx = await gpu();
    for (const args of [{ kernel: 2 }, { kernel: 3, stride: 2, padding: 1 }]) {
      const x = rand(ctx, [2, 3, 9, 8], 5), g = pool2dGeom(x.t.shape, args), dy = rand(ctx, oshape(g), 6);
      const y = output(ctx, oshape(g)), idx = output(ctx, oshape(g), 'u32'), dx = output(ctx, x.t.shape);
      await exec(ctx, maxPool2dForward(ctx, x.t, y, idx, args));
      await exec(ctx, maxPool2dBackward(ctx, dy.t, idx, dx, args));
      expectClose('max bwd', await read(ctx, dx), maxPoolBwdRef(x.v, dy.v, g), GRAD.atol, GRAD.rtol);
      expect(ctx.select.decisions.some((d) => d.family === 'maxpool2d' && d.shape === maxPool2dFamily.describe(g))).toBe(true);
    }
  });
});

describe('avgpool2d family vs float64 reference', () => {
  it.each(rows(avgPool2dChecks()))('%s', (_n, c) => passes(c));
});

describe('pool2d arguments', () => {
  it('rejects unsupported arguments', async () => {
    expect(() => pool2dGeom([1, 1, 4, 4], { kernel: 2, padding: 2 })).toThrow(/at most half the kernel/);
    expect(() => pool2dGeom([1, 1, 4, 4], { kernel: 0 })).toThrow(/integer >= 1/);
    expect(() => pool2dGeom([1, 1, 2, 2], { kernel: 3 })).toThrow(/does not fit/);
    const ctx = await gpu();
    const x = rand(ctx, [1, 1, 4, 4], 1).t;
    expect(() => maxPool2dForward(ctx, x, output(ctx, [1, 1, 2, 2]), output(ctx, [1, 1, 2, 2]), { kernel: 2 })).toThrow(/maxpool indices: expected u32/);
    expect(() => avgPool2dForward(ctx, x, output(ctx, [1, 1, 3, 3]), { kernel: 2 })).toThrow(/avgpool output: expected shape \[1, 1, 2, 2\]/);
    expect(() => maxPool2dBackward(ctx, output(ctx, [1, 1, 2, 2]), output(ctx, [1, 1, 2, 2], 'u32'), output(ctx, [1, 1, 4, 4]), { kernel: 2 }, 'v5')).toThrow(/maxpool2d has no version 'v5'/);
    expect(() => avgPool2dForward(ctx, x, output(ctx, [1, 1, 2, 2]), { kernel: 2, relu: true })).toThrow('avgpool2d: a fused ReLU is for max pooling only');
  });
});

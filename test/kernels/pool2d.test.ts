import { describe, expect, it } from 'vitest';
import { avgPool2dBackward, avgPool2dForward, maxPool2dBackward, maxPool2dForward, pool2dGeom, type Pool2dArgs } from '../../src/ops/pool2d.js';
import { avgPoolBwdRef, avgPoolRef, maxPoolBwdRef, maxPoolRef } from '../../src/ref/pool2d.js';
import { exec, gpu, output, rand, read, readU32 } from '../helpers/gpu.js';
import { expectClose, expectEqual, FWD, GRAD } from '../helpers/check.js';

interface Case { N: number; C: number; H: number; W: number; args: Pool2dArgs }

const cases: Case[] = [];
for (const k of [2, 3, 5])
  for (const stride of [1, 2])
    for (const pad of [0, 1])
      for (const C of [1, 3]) {
        const i = cases.length;
        cases.push({ N: 1 + (i % 2), C, H: k + 3 + (i % 4), W: k + 6 - (i % 3), args: { kernel: k, stride, padding: pad } });
      }

const name = (c: Case) => `N${c.N} C${c.C} ${c.H}x${c.W} k${c.args.kernel} s${c.args.stride} p${c.args.padding}`;

describe('pool2d kernels vs float64 reference', () => {
  // Tiling windows, with and without an uncovered remainder row/column, and overlapping ones it refuses.
  it.each([[2, 3, 7, 9, 2], [1, 1, 9, 10, 3], [2, 2, 8, 8, 2], [1, 3, 5, 5, 5]])('max bwd v2 N%i C%i %ix%i k%i matches v1 and the reference', async (N, C, H, W, k) => {
    const ctx = await gpu();
    const args = { kernel: k };
    const x = rand(ctx, [N, C, H, W], H * W + k);
    const g = pool2dGeom(x.t.shape, args);
    const oshape = [g.N, g.C, g.OH, g.OW];
    const dy = rand(ctx, oshape, k), y = output(ctx, oshape), idx = output(ctx, oshape, 'u32');
    const dx1 = output(ctx, x.t.shape), dx2 = output(ctx, x.t.shape);
    await exec(ctx, maxPool2dForward(ctx, x.t, y, idx, args));
    await exec(ctx, maxPool2dBackward(ctx, dy.t, idx, dx1, args, 'v1'), maxPool2dBackward(ctx, dy.t, idx, dx2, args, 'v2'));
    const want = maxPoolBwdRef(x.v, dy.v, g);
    expectClose('max bwd v2', await read(ctx, dx2), want, GRAD.atol, GRAD.rtol);
    expectEqual('v2 = v1', await read(ctx, dx2), await read(ctx, dx1));
    const over = { kernel: k, stride: 1 }, g2 = pool2dGeom(x.t.shape, over), o2 = [g2.N, g2.C, g2.OH, g2.OW];
    expect(() => maxPool2dBackward(ctx, output(ctx, o2), output(ctx, o2, 'u32'), dx2, over, 'v2')).toThrow(/needs stride equal to the kernel/);
  });

  it.each(cases.map((c) => [name(c), c] as const))('%s', async (_n, c) => {
    const ctx = await gpu();
    const x = rand(ctx, [c.N, c.C, c.H, c.W], c.H * 31 + c.W);
    const g = pool2dGeom(x.t.shape, c.args);
    const oshape = [g.N, g.C, g.OH, g.OW];
    const dy = rand(ctx, oshape, c.H + 5);
    const ymax = output(ctx, oshape), idx = output(ctx, oshape, 'u32'), dxmax = output(ctx, x.t.shape);
    const yavg = output(ctx, oshape), dxavg = output(ctx, x.t.shape);
    await exec(ctx, maxPool2dForward(ctx, x.t, ymax, idx, c.args), avgPool2dForward(ctx, x.t, yavg, c.args));
    await exec(ctx, maxPool2dBackward(ctx, dy.t, idx, dxmax, c.args), avgPool2dBackward(ctx, dy.t, dxavg, c.args));
    const ref = maxPoolRef(x.v, g);
    expectClose('max fwd', await read(ctx, ymax), ref.y, FWD.atol, FWD.rtol);
    // idx holds the winner's index within its plane.
    const plane = c.H * c.W;
    expectEqual('max argmax', await readU32(ctx, idx), Array.from(ref.arg, (a) => a % plane));
    expectClose('max bwd', await read(ctx, dxmax), maxPoolBwdRef(x.v, dy.v, g), GRAD.atol, GRAD.rtol);
    expectClose('avg fwd', await read(ctx, yavg), avgPoolRef(x.v, g), FWD.atol, FWD.rtol);
    expectClose('avg bwd', await read(ctx, dxavg), avgPoolBwdRef(dy.v, g), GRAD.atol, GRAD.rtol);
  });

  it('rejects unsupported arguments', () => {
    expect(() => pool2dGeom([1, 1, 4, 4], { kernel: 2, padding: 2 })).toThrow(/at most half the kernel/);
    expect(() => pool2dGeom([1, 1, 4, 4], { kernel: 0 })).toThrow(/integer >= 1/);
    expect(() => pool2dGeom([1, 1, 2, 2], { kernel: 3 })).toThrow(/does not fit/);
  });
});

// maxpool2d's and avgpool2d's checks against the float64 reference, run by the vitest kernel
// tests and selftest: every version at every shape of the grid, forward and backward (for max
// pooling also the winners' indices, which must match exactly).
import { close, equal, FWD, GRAD, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { avgPool2dBackward, avgPool2dFamily, avgPool2dForward, maxPool2dBackward, maxPool2dFamily, maxPool2dForward, type Pool2dGeom } from './family.js';
import { POOL2D_CASES, type Pool2dCase } from './cases.js';
import { avgPoolBwdRef, avgPoolRef, maxPoolBwdRef, maxPoolReluBwdRef, maxPoolReluRef, maxPoolRef } from './ref.js';

const oshape = (g: Pool2dGeom) => [g.N, g.C, g.OH, g.OW];
const seedOf = (c: Pool2dCase) => c.x[2] * 31 + c.x[3];

/** `relu`: the ReLU before the pool fused (v3, v4): the pool of relu(x); no winner (and no gradient) where the maximum is <= 0. */
async function maxPool(io: CaseIO, version: string, c: Pool2dCase, relu: boolean) {
  const g = relu ? { ...c.g, relu } : c.g, args = relu ? { ...c.args, relu } : c.args;
  const x = io.rand(c.x, seedOf(c) + (relu ? 1 : 0)), dy = io.rand(oshape(g), c.x[2] + (relu ? 6 : 5));
  const y = io.output(oshape(g)), idx = io.output(oshape(g), 'u32'), dx = io.output(c.x);
  const why = maxPool2dFamily.versions.find((v) => v.name === version)!.unfit(g, io.ctx.limits);
  if (why) {
    return failures(await refuses('unfit forward', () => maxPool2dForward(io.ctx, x.t, y, idx, args, version), `maxpool2d.${version}: ${why}`),
      await refuses('unfit backward', () => maxPool2dBackward(io.ctx, dy.t, idx, dx, args, version), `maxpool2d.${version}: ${why}`));
  }
  await io.exec(maxPool2dForward(io.ctx, x.t, y, idx, args, version));
  await io.exec(maxPool2dBackward(io.ctx, dy.t, idx, dx, args, version));
  const ref = relu ? maxPoolReluRef(x.v, g) : maxPoolRef(x.v, g);
  // idx holds the winner's index within its plane (all ones where a fused ReLU left none).
  const plane = g.H * g.W;
  return failures(close('max fwd', await io.read(y), ref.y, FWD.atol, FWD.rtol),
    equal('max argmax', await io.readU32(idx), Array.from(ref.arg, (a) => (a < 0 ? 0xffffffff : a % plane))),
    close('max bwd', await io.read(dx), (relu ? maxPoolReluBwdRef : maxPoolBwdRef)(x.v, dy.v, g), GRAD.atol, GRAD.rtol));
}

async function avgPool(io: CaseIO, version: string, c: Pool2dCase) {
  const g = c.g;
  const x = io.rand(c.x, seedOf(c)), dy = io.rand(oshape(g), c.x[2] + 5);
  const y = io.output(oshape(g)), dx = io.output(c.x);
  const why = avgPool2dFamily.versions.find((v) => v.name === version)!.unfit(g, io.ctx.limits);
  if (why) return failures(await refuses('unfit', () => avgPool2dForward(io.ctx, x.t, y, c.args, version), `avgpool2d.${version}: ${why}`));
  await io.exec(avgPool2dForward(io.ctx, x.t, y, c.args, version), avgPool2dBackward(io.ctx, dy.t, dx, c.args, version));
  return failures(close('avg fwd', await io.read(y), avgPoolRef(x.v, g), FWD.atol, FWD.rtol),
    close('avg bwd', await io.read(dx), avgPoolBwdRef(dy.v, g), GRAD.atol, GRAD.rtol));
}

export const maxPool2dChecks = (): Case[] => maxPool2dFamily.versions.flatMap((v) => [false, true].flatMap((relu) =>
  POOL2D_CASES.map((c): Case => ({ group: 'maxpool2d', name: v.name, shape: `${maxPool2dFamily.describe(c.g)}${relu ? ', ReLU fused' : ''}`, run: (io) => maxPool(io, v.name, c, relu) }))));

export const avgPool2dChecks = (): Case[] => avgPool2dFamily.versions.flatMap((v) =>
  POOL2D_CASES.map((c): Case => ({ group: 'avgpool2d', name: v.name, shape: avgPool2dFamily.describe(c.g), run: (io) => avgPool(io, v.name, c) })));

// The optimizers' checks against the float64 reference, run by the vitest kernel tests and
// selftest: three steps of SGD and of Adam for every version, size and hyper-parameter case.
import { close, FWD, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { adamStep, optimFamily, sgdStep, type AdamHyper, type SgdHyper } from './family.js';
import { ADAM_CASES, OPTIM_SIZES, SGD_CASES } from './cases.js';
import { adamRef, sgdRef } from './ref.js';

async function sgd(io: CaseIO, version: string, n: number, h: SgdHyper) {
  const w = io.rand([n], 1), vel = io.rand([n], 2);
  const why = optimFamily.versions.find((v) => v.name === version)!.unfit({ n }, io.ctx.limits);
  if (why) return failures(await refuses('unfit', () => sgdStep(io.ctx, w.t, w.t, vel.t, h, { version }), `optim.${version}: ${why}`));
  let W: ArrayLike<number> = w.v, V: ArrayLike<number> = vel.v;
  for (let step = 0; step < 3; step++) {
    const g = io.rand([n], 10 + step);
    await io.exec(sgdStep(io.ctx, w.t, g.t, vel.t, h, { version }));
    ({ w: W, vel: V } = sgdRef(W, g.v, V, h));
  }
  return failures(close('w', await io.read(w.t), W, FWD.atol, FWD.rtol), close('velocity', await io.read(vel.t), V, FWD.atol, FWD.rtol));
}

async function adam(io: CaseIO, version: string, n: number, h: AdamHyper) {
  const w = io.rand([n], 3), m = io.output([n]), v = io.output([n]);
  const why = optimFamily.versions.find((x) => x.name === version)!.unfit({ n }, io.ctx.limits);
  if (why) return failures(await refuses('unfit', () => adamStep(io.ctx, w.t, w.t, m, v, h, 1, { version }), `optim.${version}: ${why}`));
  io.ctx.queue.writeBuffer(m.buffer, 0, new Float32Array(n));
  io.ctx.queue.writeBuffer(v.buffer, 0, new Float32Array(n));
  let W: ArrayLike<number> = w.v, M: ArrayLike<number> = new Float64Array(n), Vv: ArrayLike<number> = new Float64Array(n);
  for (let t = 1; t <= 3; t++) {
    const g = io.rand([n], 20 + t);
    await io.exec(adamStep(io.ctx, w.t, g.t, m, v, h, t, { version }));
    ({ w: W, m: M, v: Vv } = adamRef(W, g.v, M, Vv, h, t));
  }
  return failures(close('w', await io.read(w.t), W, FWD.atol, FWD.rtol), close('m', await io.read(m), M, FWD.atol, FWD.rtol),
    close('v', await io.read(v), Vv, FWD.atol, FWD.rtol));
}

const grid = <H>(hs: H[], rule: string, check: (io: CaseIO, version: string, n: number, h: H) => Promise<ReturnType<typeof failures>>): Case[] =>
  optimFamily.versions.flatMap((v) => hs.flatMap((h) => OPTIM_SIZES.map((n): Case => ({
    group: 'optim', name: v.name, shape: `${rule} n=${n} ${JSON.stringify(h)}, 3 steps`, run: (io) => check(io, v.name, n, h),
  }))));

export const optimChecks = (): Case[] => [...grid(SGD_CASES, 'sgd', sgd), ...grid(ADAM_CASES, 'adam', adam)];

// The optimizers' checks against the float64 reference, run by the vitest kernel tests and
// selftest: three steps of SGD and of Adam for every version, size, hyper-parameter case and mode
// (plain; fused: each gradient zeroed after use, weight decay on a prefix, which v1 refuses).
import { close, equal, FWD, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { adamStep, optimFamily, sgdStep, type AdamHyper, type OptimOpts, type SgdHyper } from './family.js';
import { ADAM_CASES, OPTIM_MODES, OPTIM_SIZES, SGD_CASES, type OptimMode } from './cases.js';
import { adamRef, sgdRef } from './ref.js';

const unfit = (io: CaseIO, version: string, n: number, decayEnd: number | undefined, opts: OptimOpts) =>
  optimFamily.versions.find((v) => v.name === version)!.unfit({ n, decayEnd, clearGrad: opts.clearGrad }, io.ctx.limits);
/** A step consumes its gradient: v2 zeroes it (the next backward accumulates from 0), v1 leaves it. */
const gradAfter = async (io: CaseIO, version: string, g: { t: Parameters<CaseIO['read']>[0]; v: Float32Array }) =>
  equal('grad after the step', await io.read(g.t), version === 'v1' ? g.v : new Float32Array(g.v.length));

async function sgd(io: CaseIO, version: string, n: number, h: SgdHyper, opts: OptimOpts) {
  const w = io.rand([n], 1), vel = io.rand([n], 2);
  const why = unfit(io, version, n, h.decayEnd, opts);
  if (why) return failures(await refuses('unfit', () => sgdStep(io.ctx, w.t, w.t, vel.t, h, { ...opts, version }), `optim.${version}: ${why}`));
  let W: ArrayLike<number> = w.v, V: ArrayLike<number> = vel.v;
  const grads = [];
  for (let step = 0; step < 3; step++) {
    const g = io.rand([n], 10 + step);
    await io.exec(sgdStep(io.ctx, w.t, g.t, vel.t, h, { ...opts, version }));
    ({ w: W, vel: V } = sgdRef(W, g.v, V, h));
    grads.push(await gradAfter(io, version, g));
  }
  return failures(close('w', await io.read(w.t), W, FWD.atol, FWD.rtol), close('velocity', await io.read(vel.t), V, FWD.atol, FWD.rtol), ...grads);
}

async function adam(io: CaseIO, version: string, n: number, h: AdamHyper, opts: OptimOpts) {
  const w = io.rand([n], 3), m = io.output([n]), v = io.output([n]);
  const why = unfit(io, version, n, h.decayEnd, opts);
  if (why) return failures(await refuses('unfit', () => adamStep(io.ctx, w.t, w.t, m, v, h, 1, { ...opts, version }), `optim.${version}: ${why}`));
  io.ctx.queue.writeBuffer(m.buffer, 0, new Float32Array(n));
  io.ctx.queue.writeBuffer(v.buffer, 0, new Float32Array(n));
  let W: ArrayLike<number> = w.v, M: ArrayLike<number> = new Float64Array(n), Vv: ArrayLike<number> = new Float64Array(n);
  const grads = [];
  for (let t = 1; t <= 3; t++) {
    const g = io.rand([n], 20 + t);
    await io.exec(adamStep(io.ctx, w.t, g.t, m, v, h, t, { ...opts, version }));
    ({ w: W, m: M, v: Vv } = adamRef(W, g.v, M, Vv, h, t));
    grads.push(await gradAfter(io, version, g));
  }
  return failures(close('w', await io.read(w.t), W, FWD.atol, FWD.rtol), close('m', await io.read(m), M, FWD.atol, FWD.rtol),
    close('v', await io.read(v), Vv, FWD.atol, FWD.rtol), ...grads);
}

type Check<H> = (io: CaseIO, version: string, n: number, h: H, opts: OptimOpts) => Promise<ReturnType<typeof failures>>;
const grid = <H extends SgdHyper | AdamHyper>(hs: H[], rule: string, check: Check<H>): Case[] =>
  optimFamily.versions.flatMap((v) => hs.flatMap((h) => OPTIM_SIZES.flatMap((n) => OPTIM_MODES.map((mode: OptimMode): Case => ({
    group: 'optim', name: v.name, shape: `${rule} n=${n} ${mode.name} ${JSON.stringify(h)}, 3 steps`,
    run: (io) => check(io, v.name, n, { ...h, decayEnd: mode.decayEnd(n) }, mode.opts),
  })))));

export const optimChecks = (): Case[] => [...grid(SGD_CASES, 'sgd', sgd), ...grid(ADAM_CASES, 'adam', adam)];

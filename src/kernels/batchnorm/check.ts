// batchnorm's checks against the float64 reference, run by the vitest kernel tests and selftest:
// every version at every shape of the grid: the training forward (batch statistics, y), the
// running statistics' update, the backward (dbeta, dgamma, dx written then accumulated), the
// evaluation forward with the updated statistics, and the backward that only wants the sums.
import { close, FWD, GRAD } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { uniform } from '../../util/rng.js';
import { batchNormBackward, batchNormEval, batchNormFamily, batchNormTrain, type BnShape } from './family.js';
import { BN_CASES, type BnCase } from './cases.js';
import { bnApplyRef, bnBackwardRef, bnRunningRef, bnTrainRef } from './ref.js';

const EPS = 1e-5;
// Sums over a channel grow with its size: the tolerance grows with the square root.
const scale = (s: BnShape) => Math.max(1, Math.sqrt(s.N * s.S) / 16);

/** Seeded inputs: x shifted by the case's offset, gamma in [0.5, 1.5], running variances in [0.5, 2]. */
function inputs(io: CaseIO, c: BnCase, seed: number) {
  const up = (v: Float32Array, shape: number[]) => ({ v, t: io.upload(v, shape) });
  const C = c.s.C, n = c.x.reduce((a, b) => a * b, 1);
  return {
    x: up(uniform(n, seed).map((v) => v + c.offset), c.x),
    gamma: up(uniform(C, seed + 1, 0.5, 1.5), [C]), beta: up(uniform(C, seed + 2), [C]),
    runMean: up(uniform(C, seed + 3), [C]), runVar: up(uniform(C, seed + 4, 0.5, 2), [C]),
    dy: up(uniform(n, seed + 5), c.x),
  };
}

async function full(io: CaseIO, version: string, c: BnCase, i: number) {
  const { ctx } = io, s = c.s, momentum = [0.1, 0.3, 1, 0][i % 4], k = scale(s);
  const t = inputs(io, c, 10 * i + 1);
  const y = io.output(c.x), mean = io.output([s.C]), variance = io.output([s.C]);
  await io.exec(...await batchNormTrain(ctx, { x: t.x.t, gamma: t.gamma.t, beta: t.beta.t, y, mean, variance, runningMean: t.runMean.t, runningVar: t.runVar.t }, { momentum, eps: EPS, version }));
  const ref = bnTrainRef(t.x.v, t.gamma.v, t.beta.v, s, EPS), run = bnRunningRef(t.runMean.v, t.runVar.v, t.x.v, s, momentum);
  const fwd = [close('batch mean', await io.read(mean), ref.mean, FWD.atol * k, FWD.rtol),
    close('batch variance (biased)', await io.read(variance), ref.variance, FWD.atol * k, FWD.rtol),
    close('y', await io.read(y), ref.y, FWD.atol * k, FWD.rtol),
    close(`running mean (momentum ${momentum})`, await io.read(t.runMean.t), run.mean, FWD.atol * k, FWD.rtol),
    close(`running var (unbiased, momentum ${momentum})`, await io.read(t.runVar.t), run.variance, FWD.atol * k, FWD.rtol)];

  // Backward from the forward's batch statistics; dx written, then accumulated onto itself.
  const sumDy = io.output([s.C]), sumDyx = io.output([s.C]), dx = io.output(c.x);
  const bt = { x: t.x.t, dy: t.dy.t, gamma: t.gamma.t, mean, variance, sumDy, sumDyx, dx };
  await io.exec(...await batchNormBackward(ctx, bt, { eps: EPS, version }));
  const g = bnBackwardRef(t.x.v, t.gamma.v, t.dy.v, s, EPS);
  const bwd = [close('dbeta', await io.read(sumDy), g.dbeta, GRAD.atol * k, GRAD.rtol),
    close('dgamma', await io.read(sumDyx), g.dgamma, GRAD.atol * k, GRAD.rtol),
    close('dx', await io.read(dx), g.dx, GRAD.atol * k, GRAD.rtol)];
  await io.exec(...await batchNormBackward(ctx, bt, { eps: EPS, version, accumulate: true }));
  const acc = close('dx accumulated', await io.read(dx), g.dx.map((v) => 2 * v), 2 * GRAD.atol * k, GRAD.rtol);

  // Evaluation with the updated running statistics.
  const ye = io.output(c.x);
  await io.exec(batchNormEval(ctx, { x: t.x.t, gamma: t.gamma.t, beta: t.beta.t, y: ye, runningMean: t.runMean.t, runningVar: t.runVar.t }, { eps: EPS, version }));
  const ev = close('y (evaluation)', await io.read(ye), bnApplyRef(t.x.v, run.mean, run.variance, t.gamma.v, t.beta.v, s, EPS), FWD.atol, FWD.rtol);
  return failures(...fwd, ...bwd, acc, ev);
}

/** The backward for an input that needs no gradient: the sums only, dx untouched. */
async function sumsOnly(io: CaseIO, version: string, c: BnCase) {
  const { ctx } = io, s = c.s, t = inputs(io, c, 3);
  const y = io.output(c.x), mean = io.output([s.C]), variance = io.output([s.C]), sumDy = io.output([s.C]), sumDyx = io.output([s.C]);
  await io.exec(...await batchNormTrain(ctx, { x: t.x.t, gamma: t.gamma.t, beta: t.beta.t, y, mean, variance, runningMean: t.runMean.t, runningVar: t.runVar.t }, { version }));
  await io.exec(...await batchNormBackward(ctx, { x: t.x.t, dy: t.dy.t, gamma: t.gamma.t, mean, variance, sumDy, sumDyx, dx: null }, { version }));
  const g = bnBackwardRef(t.x.v, t.gamma.v, t.dy.v, s, EPS);
  return failures(close('dbeta', await io.read(sumDy), g.dbeta, GRAD.atol, GRAD.rtol), close('dgamma', await io.read(sumDyx), g.dgamma, GRAD.atol, GRAD.rtol));
}

const describe = (c: BnCase) => `[${c.x.join(', ')}]${c.offset ? ` + ${c.offset}` : ''}`;

export const batchNormChecks = (): Case[] => batchNormFamily.versions.flatMap((v) => [
  ...BN_CASES.map((c, i): Case => ({ group: 'batchnorm', name: v.name, shape: `${describe(c)}: train, running stats, backward, eval`, run: (io) => full(io, v.name, c, i) })),
  { group: 'batchnorm', name: v.name, shape: `${describe(BN_CASES[0])}: backward without dx (sums only)`, run: (io) => sumsOnly(io, v.name, BN_CASES[0]) },
]);

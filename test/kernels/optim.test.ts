import { describe, expect, it } from 'vitest';
import { adamSetStep, adamStep, optimFamily, sgdSetLr, sgdStep } from '../../src/kernels/optim/family.js';
import { ADAM_CASES, OPTIM_SIZES, SGD_CASES } from '../../src/kernels/optim/cases.js';
import { adamRef, sgdRef } from '../../src/kernels/optim/ref.js';
import { exec, gpu, output, rand, read } from '../helpers/gpu.js';
import { expectClose, FWD } from '../helpers/check.js';

const versions = optimFamily.versions.map((v) => v.name);
const each = <H>(hs: H[]) => optimFamily.versions.flatMap((v) => hs.flatMap((h) => OPTIM_SIZES.map((n) => [`${v.name} n=${n} ${JSON.stringify(h)}`, v.name, n, h] as const)));

describe('optim family vs float64 reference', () => {
  it.each(each(SGD_CASES))('sgd %s, 3 steps', async (_n, version, n, h) => {
    const ctx = await gpu();
    const w = rand(ctx, [n], 1), vel = rand(ctx, [n], 2);
    const why = optimFamily.versions.find((v) => v.name === version)!.unfit({ n }, ctx.limits);
    if (why) {
      expect(() => sgdStep(ctx, w.t, w.t, vel.t, h, { version })).toThrow(`optim.${version}: ${why}`);
      return;
    }
    let W: ArrayLike<number> = w.v, V: ArrayLike<number> = vel.v;
    for (let step = 0; step < 3; step++) {
      const g = rand(ctx, [n], 10 + step);
      await exec(ctx, sgdStep(ctx, w.t, g.t, vel.t, h, { version }));
      ({ w: W, vel: V } = sgdRef(W, g.v, V, h));
    }
    expectClose('w', await read(ctx, w.t), W, FWD.atol, FWD.rtol);
    expectClose('velocity', await read(ctx, vel.t), V, FWD.atol, FWD.rtol);
  });

  it.each(each(ADAM_CASES))('adam %s, 3 steps', async (_n, version, n, h) => {
    const ctx = await gpu();
    const w = rand(ctx, [n], 3), m = output(ctx, [n]), v = output(ctx, [n]);
    const why = optimFamily.versions.find((x) => x.name === version)!.unfit({ n }, ctx.limits);
    if (why) {
      expect(() => adamStep(ctx, w.t, w.t, m, v, h, 1, { version })).toThrow(`optim.${version}: ${why}`);
      return;
    }
    ctx.queue.writeBuffer(m.buffer, 0, new Float32Array(n));
    ctx.queue.writeBuffer(v.buffer, 0, new Float32Array(n));
    let W: ArrayLike<number> = w.v, M: ArrayLike<number> = new Float64Array(n), Vv: ArrayLike<number> = new Float64Array(n);
    for (let t = 1; t <= 3; t++) {
      const g = rand(ctx, [n], 20 + t);
      await exec(ctx, adamStep(ctx, w.t, g.t, m, v, h, t, { version }));
      ({ w: W, m: M, v: Vv } = adamRef(W, g.v, M, Vv, h, t));
    }
    expectClose('w', await read(ctx, w.t), W, FWD.atol, FWD.rtol);
    expectClose('m', await read(ctx, m), M, FWD.atol, FWD.rtol);
    expectClose('v', await read(ctx, v), Vv, FWD.atol, FWD.rtol);
  });

  // The trainer records one optimizer dispatch and rewrites lr (and Adam's step) by name each step.
  it.each(versions)('%s: one recorded dispatch, lr and step rewritten by name, matches fresh steps', async (version) => {
    const ctx = await gpu();
    const n = 333, lrs = [0.02, 0.005, 0.01];
    const hs = { lr: lrs[0], momentum: 0.9, nesterov: true }, ha = { lr: lrs[0], beta1: 0.8, weightDecay: 0.01, decoupled: true };
    const ws = rand(ctx, [n], 4), vel = output(ctx, [n]), wa = rand(ctx, [n], 5), m = output(ctx, [n]), v = output(ctx, [n]), g = rand(ctx, [n], 6);
    for (const t of [vel, m, v]) ctx.queue.writeBuffer(t.buffer, 0, new Float32Array(n));
    const ds = await sgdStep(ctx, ws.t, g.t, vel, hs, { version }), da = await adamStep(ctx, wa.t, g.t, m, v, ha, 1, { version });
    let S = { w: ws.v as ArrayLike<number>, vel: new Float64Array(n) as ArrayLike<number> };
    let A = { w: wa.v as ArrayLike<number>, m: new Float64Array(n) as ArrayLike<number>, v: new Float64Array(n) as ArrayLike<number> };
    for (let t = 1; t <= 3; t++) {
      sgdSetLr(ds, lrs[t - 1]);
      adamSetStep(da, ha, t, lrs[t - 1]);
      await exec(ctx, ds, da);
      S = sgdRef(S.w, g.v, S.vel, { ...hs, lr: lrs[t - 1] });
      A = adamRef(A.w, g.v, A.m, A.v, { ...ha, lr: lrs[t - 1] }, t);
    }
    expectClose('sgd w', await read(ctx, ws.t), S.w, FWD.atol, FWD.rtol);
    expectClose('sgd velocity', await read(ctx, vel), S.vel, FWD.atol, FWD.rtol);
    expectClose('adam w', await read(ctx, wa.t), A.w, FWD.atol, FWD.rtol);
    expectClose('adam m', await read(ctx, m), A.m, FWD.atol, FWD.rtol);
    expectClose('adam v', await read(ctx, v), A.v, FWD.atol, FWD.rtol);
    expect(() => sgdSetLr(ds, NaN)).toThrow(/lr must be a finite number >= 0/);
    expect(() => adamSetStep(da, ha, 0, 0.1)).toThrow(/step must be an integer >= 1/);
  });

  it('rejects invalid hyper-parameters', async () => {
    const ctx = await gpu();
    const w = rand(ctx, [4], 1);
    expect(() => sgdStep(ctx, w.t, w.t, w.t, { lr: -1 })).toThrow(/lr must be a finite number >= 0/);
    expect(() => sgdStep(ctx, w.t, w.t, w.t, { lr: 0.1, nesterov: true })).toThrow(/nesterov momentum needs momentum > 0/);
    expect(() => adamStep(ctx, w.t, w.t, w.t, w.t, { lr: 0.1, beta1: 1 })).toThrow(/betas must be in \[0, 1\)/);
    expect(() => adamStep(ctx, w.t, w.t, w.t, w.t, { lr: 0.1 }, 0)).toThrow(/step must be an integer >= 1/);
    expect(() => sgdStep(ctx, w.t, rand(ctx, [5], 2).t, w.t, { lr: 0.1 })).toThrow(/sgd grad: expected shape \[4\]/);
  });
});

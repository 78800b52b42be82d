import { describe, expect, it } from 'vitest';
import { adamSetStep, adamStep, optimFamily, sgdSetLr, sgdStep } from '../../src/kernels/optim/family.js';
import { optimChecks } from '../../src/kernels/optim/check.js';
import { adamRef, sgdRef } from '../../src/kernels/optim/ref.js';
import { exec, gpu, output, passes, rand, read, rows } from '../helpers/gpu.js';
import { expectClose, FWD } from '../helpers/check.js';

const versions = optimFamily.versions.map((v) => v.name);

describe('optim family vs float64 reference', () => {
  it.each(rows(optimChecks()))('%s', (_n, c) => passes(c));

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

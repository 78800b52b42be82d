import { describe, expect, it } from 'vitest';
import { adamSetStep, adamStep, optimFamily, sgdSetLr, sgdStep } from '../../src/kernels/optim/family.js';
import { optimChecks } from '../../src/kernels/optim/check.js';
import { adamRef, sgdRef } from '../../src/kernels/optim/ref.js';
import { writeTensor } from '../../src/gpu/buffers.js';
import { exec, gpu, output, passes, rand, read, rows } from '../helpers/gpu.js';
import { expectClose, FWD } from '../helpers/check.js';

const versions = optimFamily.versions.map((v) => v.name);

describe('optim family vs float64 reference', () => {
  it.each(rows(optimChecks()))('%s', (_n, c) => passes(c));

  it('v1 is unfit for the fused form, and the policy then takes v2', async () => {
    const ctx = await gpu();
    const v1 = optimFamily.versions[0];
    expect(v1.unfit({ n: 100, clearGrad: true }, ctx.limits)).toMatch(/leaves each gradient in place/);
    expect(v1.unfit({ n: 100, decayEnd: 64 }, ctx.limits)).toMatch(/decays every element alike/);
    const w = rand(ctx, [100], 1), g = rand(ctx, [100], 2), m = output(ctx, [100]);
    const d = await sgdStep(ctx, w.t, g.t, m, { lr: 0.1, decayEnd: 64, weightDecay: 0.1 }, { clearGrad: true });
    expect(d.kernel).toBe('optim.sgd.v2');
  });

  // The trainer records one optimizer dispatch and rewrites lr (and Adam's step) by name each step.
  it.each(versions)('%s: one recorded dispatch, lr and step rewritten by name, matches fresh steps', async (version) => {
    const ctx = await gpu();
    const n = 333, lrs = [0.02, 0.005, 0.01];
    const hs = { lr: lrs[0], momentum: 0.9, nesterov: true }, ha = { lr: lrs[0], beta1: 0.8, weightDecay: 0.01, decoupled: true };
    const ws = rand(ctx, [n], 4), vel = output(ctx, [n]), wa = rand(ctx, [n], 5), m = output(ctx, [n]), v = output(ctx, [n]), g = rand(ctx, [n], 6);
    // Each rule its own copy of the gradient, rewritten every step (v2 zeroes what it reads).
    const gs = output(ctx, [n]), ga = output(ctx, [n]);
    for (const t of [vel, m, v]) ctx.queue.writeBuffer(t.buffer, 0, new Float32Array(n));
    const ds = await sgdStep(ctx, ws.t, gs, vel, hs, { version }), da = await adamStep(ctx, wa.t, ga, m, v, ha, 1, { version });
    let S = { w: ws.v as ArrayLike<number>, vel: new Float64Array(n) as ArrayLike<number> };
    let A = { w: wa.v as ArrayLike<number>, m: new Float64Array(n) as ArrayLike<number>, v: new Float64Array(n) as ArrayLike<number> };
    for (let t = 1; t <= 3; t++) {
      for (const x of [gs, ga]) writeTensor(ctx.device, x, g.v);
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
    // eps = 0 gives 0/0 = NaN wherever a gradient has been zero so far.
    for (const eps of [0, -1e-8, NaN]) expect(() => adamStep(ctx, w.t, w.t, w.t, w.t, { lr: 0.1, eps })).toThrow(`adam eps must be a finite number > 0, got ${eps}`);
    expect(() => sgdStep(ctx, w.t, w.t, w.t, { lr: 0.1, decayEnd: 5 })).toThrow(/decayEnd must be an integer in \[0, 4\], got 5/);
    expect(() => sgdStep(ctx, w.t, rand(ctx, [5], 2).t, w.t, { lr: 0.1 })).toThrow(/sgd grad: expected shape \[4\]/);
  });
});

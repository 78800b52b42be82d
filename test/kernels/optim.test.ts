import { describe, expect, it } from 'vitest';
import { adamStep, sgdStep, type AdamHyper, type SgdHyper } from '../../src/ops/optim.js';
import { adamRef, sgdRef } from '../../src/ref/optim.js';
import { exec, gpu, output, rand, read } from '../helpers/gpu.js';
import { expectClose, FWD } from '../helpers/check.js';

describe('optimizer steps vs float64 reference', () => {
  const sgdCases: SgdHyper[] = [{ lr: 0.1 }, { lr: 0.05, momentum: 0.9 }, { lr: 0.01, momentum: 0.9, weightDecay: 5e-4, nesterov: true }];
  it.each(sgdCases.map((h) => [JSON.stringify(h), h] as const))('sgd %s, 3 steps', async (_n, h) => {
    const ctx = await gpu();
    const n = 1037;
    const w = rand(ctx, [n], 1), vel = rand(ctx, [n], 2);
    let W: ArrayLike<number> = w.v, V: ArrayLike<number> = vel.v;
    for (let step = 0; step < 3; step++) {
      const g = rand(ctx, [n], 10 + step);
      await exec(ctx, sgdStep(ctx, w.t, g.t, vel.t, h));
      ({ w: W, vel: V } = sgdRef(W, g.v, V, h));
    }
    expectClose('w', await read(ctx, w.t), W, FWD.atol, FWD.rtol);
    expectClose('velocity', await read(ctx, vel.t), V, FWD.atol, FWD.rtol);
  });

  const adamCases: AdamHyper[] = [{ lr: 1e-3 }, { lr: 1e-2, beta1: 0.8, beta2: 0.99, weightDecay: 0.01 }, { lr: 1e-2, weightDecay: 0.05, decoupled: true }];
  it.each(adamCases.map((h) => [JSON.stringify(h), h] as const))('adam %s, 3 steps', async (_n, h) => {
    const ctx = await gpu();
    const n = 777;
    const w = rand(ctx, [n], 3), m = output(ctx, [n]), v = output(ctx, [n]);
    ctx.queue.writeBuffer(m.buffer, 0, new Float32Array(n));
    ctx.queue.writeBuffer(v.buffer, 0, new Float32Array(n));
    let W: ArrayLike<number> = w.v, M: ArrayLike<number> = new Float64Array(n), Vv: ArrayLike<number> = new Float64Array(n);
    for (let t = 1; t <= 3; t++) {
      const g = rand(ctx, [n], 20 + t);
      await exec(ctx, adamStep(ctx, w.t, g.t, m, v, h, t));
      ({ w: W, m: M, v: Vv } = adamRef(W, g.v, M, Vv, h, t));
    }
    expectClose('w', await read(ctx, w.t), W, FWD.atol, FWD.rtol);
    expectClose('m', await read(ctx, m), M, FWD.atol, FWD.rtol);
    expectClose('v', await read(ctx, v), Vv, FWD.atol, FWD.rtol);
  });

  it('rejects invalid hyper-parameters', async () => {
    const ctx = await gpu();
    const w = rand(ctx, [4], 1);
    expect(() => sgdStep(ctx, w.t, w.t, w.t, { lr: -1 })).toThrow(/lr must be a finite number >= 0/);
    expect(() => sgdStep(ctx, w.t, w.t, w.t, { lr: 0.1, nesterov: true })).toThrow(/nesterov momentum needs momentum > 0/);
    expect(() => adamStep(ctx, w.t, w.t, w.t, w.t, { lr: 0.1, beta1: 1 })).toThrow(/betas must be in \[0, 1\)/);
    expect(() => adamStep(ctx, w.t, w.t, w.t, w.t, { lr: 0.1 }, 0)).toThrow(/step must be an integer >= 1/);
  });
});

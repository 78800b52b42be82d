import { describe, expect, it } from 'vitest';
import { batchNormBackward, batchNormEval, batchNormFamily, batchNormTrain } from '../../src/kernels/batchnorm/family.js';
import { BN_CASES, type BnCase } from '../../src/kernels/batchnorm/cases.js';
import { batchNormChecks } from '../../src/kernels/batchnorm/check.js';
import { bnApplyRef, bnBackwardRef, bnRunningRef, bnTrainRef } from '../../src/kernels/batchnorm/ref.js';
import { uploadTensor } from '../../src/gpu/buffers.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { uniform } from '../../src/util/rng.js';
import { SelectionPolicy } from '../../src/kernels/select.js';
import { exec, gpu, output, passes, read, rows } from '../helpers/gpu.js';
import { expectClose, FWD, GRAD } from '../helpers/check.js';

const EPS = 1e-5;

function inputs(ctx: GpuContext, c: BnCase, seed: number) {
  const up = (v: Float32Array, shape: number[]) => ({ v, t: uploadTensor(ctx.device, v, shape) });
  const C = c.s.C;
  return {
    x: up(uniform(c.x.reduce((a, b) => a * b, 1), seed).map((v) => v + c.offset), c.x),
    gamma: up(uniform(C, seed + 1, 0.5, 1.5), [C]), beta: up(uniform(C, seed + 2), [C]),
    runMean: up(uniform(C, seed + 3), [C]), runVar: up(uniform(C, seed + 4, 0.5, 2), [C]),
    dy: up(uniform(c.x.reduce((a, b) => a * b, 1), seed + 5), c.x),
  };
}

describe('batchnorm family vs float64 reference', () => {
  // Every version at every shape (src/kernels/batchnorm/check.ts, which selftest runs too).
  it.each(rows(batchNormChecks()))('%s', (_n, c) => passes(c));

  it.each([['v1', 'batchnorm.bwd_reduce.v1'], ['v2', 'batchnorm.bwd_sums.v2']])('%s: the backward without dx writes only the sums (the input needs no gradient)', async (version, kernel) => {
    const ctx = await gpu();
    const c = BN_CASES[0], s = c.s, t = inputs(ctx, c, 3);
    const y = output(ctx, c.x), mean = output(ctx, [s.C]), variance = output(ctx, [s.C]);
    const sumDy = output(ctx, [s.C]), sumDyx = output(ctx, [s.C]);
    await exec(ctx, ...await batchNormTrain(ctx, { x: t.x.t, gamma: t.gamma.t, beta: t.beta.t, y, mean, variance, runningMean: t.runMean.t, runningVar: t.runVar.t }, { version }));
    const ds = await batchNormBackward(ctx, { x: t.x.t, dy: t.dy.t, gamma: t.gamma.t, mean, variance, sumDy, sumDyx, dx: null }, { version });
    expect(ds.map((d) => d.kernel)).toEqual([kernel]);
    await exec(ctx, ...ds);
    expectClose('dgamma', await read(ctx, sumDyx), bnBackwardRef(t.x.v, t.gamma.v, t.dy.v, s, EPS).dgamma, GRAD.atol, GRAD.rtol);
  });

  it('built-in order: v2 (serial sums) while a channel has at most 4,096 values, else v1; a policy choice without a named version', async () => {
    const ctx = await gpu();
    const builtIn = new SelectionPolicy({ autotune: false });
    expect((await builtIn.choose(ctx, batchNormFamily, { N: 256, C: 128, S: 1 })).name).toBe('v2');
    expect((await builtIn.choose(ctx, batchNormFamily, { N: 64, C: 16, S: 784 })).name).toBe('v1');
    const c = BN_CASES[0], s = c.s, t = inputs(ctx, c, 9), y = output(ctx, c.x);
    await exec(ctx, ...await batchNormTrain(ctx, { x: t.x.t, gamma: t.gamma.t, beta: t.beta.t, y, mean: output(ctx, [s.C]), variance: output(ctx, [s.C]), runningMean: t.runMean.t, runningVar: t.runVar.t }));
    expectClose('y', await read(ctx, y), bnTrainRef(t.x.v, t.gamma.v, t.beta.v, s, EPS).y, FWD.atol, FWD.rtol);
    expect(ctx.select.decisions.some((d) => d.family === 'batchnorm' && d.shape === batchNormFamily.describe(s))).toBe(true);
  });

  it('refuses training on one value per channel, in words; evaluation takes it', async () => {
    const ctx = await gpu();
    for (const shape of [[1, 3, 1, 1], [1, 5]]) {
      const C = shape[1], x = uploadTensor(ctx.device, uniform(C, 1), shape);
      const gamma = uploadTensor(ctx.device, uniform(C, 2), [C]), beta = uploadTensor(ctx.device, uniform(C, 3), [C]);
      const rm = uploadTensor(ctx.device, uniform(C, 4), [C]), rv = uploadTensor(ctx.device, uniform(C, 5, 0.5, 2), [C]);
      const y = output(ctx, shape);
      expect(() => batchNormTrain(ctx, { x, gamma, beta, y, mean: output(ctx, [C]), variance: output(ctx, [C]), runningMean: rm, runningVar: rv }))
        .toThrow('batchnorm: training mode needs more than one value per channel, got N*S = 1 (batch 1 x 1 per image)');
      expect(() => batchNormBackward(ctx, { x, dy: x, gamma, mean: rm, variance: rv, sumDy: output(ctx, [C]), sumDyx: output(ctx, [C]), dx: output(ctx, shape) }))
        .toThrow(/training mode needs more than one value per channel/);
      await exec(ctx, batchNormEval(ctx, { x, gamma, beta, y, runningMean: rm, runningVar: rv }));
      const s = { N: 1, C, S: 1 };
      expectClose('y (evaluation, batch 1)', await read(ctx, y), bnApplyRef(uniform(C, 1), uniform(C, 4), uniform(C, 5, 0.5, 2), uniform(C, 2), uniform(C, 3), s, EPS), FWD.atol, FWD.rtol);
    }
  });

  it('rejects bad options and shapes', async () => {
    const ctx = await gpu();
    const x = uploadTensor(ctx.device, uniform(24, 1), [2, 3, 2, 2]), c3 = () => output(ctx, [3]);
    const t = { x, gamma: c3(), beta: c3(), y: output(ctx, [2, 3, 2, 2]), mean: c3(), variance: c3(), runningMean: c3(), runningVar: c3() };
    expect(() => batchNormTrain(ctx, t, { momentum: 1.5 })).toThrow('batchnorm momentum must be in [0, 1], got 1.5');
    expect(() => batchNormTrain(ctx, t, { eps: 0 })).toThrow('batchnorm eps must be a positive number, got 0');
    expect(() => batchNormTrain(ctx, { ...t, gamma: output(ctx, [4]) })).toThrow('batchnorm gamma: expected shape [3], got [4]');
    expect(() => batchNormTrain(ctx, { ...t, y: output(ctx, [2, 3, 4]) })).toThrow('batchnorm output: expected shape [2, 3, 2, 2], got [2, 3, 4]');
    expect(() => batchNormEval(ctx, { ...t, x: output(ctx, [6]), y: output(ctx, [6]) })).toThrow('batchnorm: input must be [N, C, ...], got [6]');
    expect(() => batchNormTrain(ctx, t, { version: 'v9' })).toThrow("batchnorm has no version 'v9'");
  });
});

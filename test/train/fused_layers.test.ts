// Sequential runs a layer and its ReLU as one op: the dispatches of a dense stack's training step
// (no relu, bias, reduce, axpy or metrics passes left), a ReLU before a max pool fused into the
// pool, and the same parameter names as the spec gives, with a training step that matches float64.
import { describe, expect, it } from 'vitest';
import { Sequential, type ModelSpec } from '../../src/nn/model.js';
import { createOptimizer } from '../../src/optim/optimizer.js';
import { TrainStep } from '../../src/train/step.js';
import { readTensor, uploadTensor } from '../../src/gpu/buffers.js';
import { pool2dGeom } from '../../src/kernels/pool2d/family.js';
import { maxPoolReluRef } from '../../src/kernels/pool2d/ref.js';
import { linearBwdRef, linearRef } from '../../src/kernels/matmul/ref.js';
import { softmaxXentRef } from '../../src/kernels/softmax_xent/ref.js';
import { randomInts, uniform } from '../../src/util/rng.js';
import { gpu } from '../helpers/gpu.js';
import { expectClose, FWD, GRAD } from '../helpers/check.js';

const mlp: ModelSpec = {
  name: 'mlp', input: [1, 4, 5], classes: 3,
  layers: [{ type: 'flatten' }, { type: 'linear', in: 20, out: 8 }, { type: 'relu' }, { type: 'linear', in: 8, out: 12 }, { type: 'relu' }, { type: 'linear', in: 12, out: 3 }],
};

// The first ReLU has no layer before it to take it, so the max pool after it does.
const pooled: ModelSpec = {
  name: 'relu-pool', input: [2, 6, 5], classes: 3,
  layers: [{ type: 'relu' }, { type: 'maxpool2d', kernel: 2 }, { type: 'flatten' }, { type: 'linear', in: 12, out: 6 }, { type: 'relu' }, { type: 'linear', in: 6, out: 3 }],
};

describe('Sequential fuses each ReLU into a neighbouring layer', () => {
  it('a dense stack\'s step: one GEMM per layer forward, two back, one loss pass', async () => {
    const ctx = await gpu();
    const model = new Sequential(mlp);
    model.store.materialize(ctx, model.store.initialValues(1));
    const x = uploadTensor(ctx.device, uniform(4 * 20, 2), [4, 1, 4, 5]), y = uploadTensor(ctx.device, randomInts(4, 3, 3), [4]);
    const step = await TrainStep.build(ctx, model, x, y, await createOptimizer(ctx, model.store, { type: 'sgd', lr: 0.1, momentum: 0 }));
    const kernels = step.dispatches.map((d) => d.kernel);
    // 3 forward GEMMs, the loss, dW+db for 3 layers, dx for 2 (the input needs none), the optimizer.
    expect(kernels.length).toBe(10);
    expect(kernels.filter((k) => /^(relu|bias|reduce|elementwise|metrics)\./.test(k))).toEqual([]);
    expect(kernels.filter((k) => k.startsWith('softmax_xent.'))).toEqual(['softmax_xent.step.v2']);
    expect(model.store.params.map((p) => p.name)).toEqual(['1.linear.weight', '1.linear.bias', '3.linear.weight', '3.linear.bias', '5.linear.weight', '5.linear.bias']);
    step.destroy();
  });

  it('a ReLU no layer before takes goes into the max pool after it; the step matches float64', async () => {
    const ctx = await gpu();
    const B = 3;
    const model = new Sequential(pooled);
    const init = model.store.initialValues(5);
    model.store.materialize(ctx, init);
    const xv = uniform(B * 2 * 6 * 5, 6), lv = randomInts(B, 7, 3);
    // No optimizer: it would zero the gradients this test reads (optim v2 clears what it used).
    const step = await TrainStep.build(ctx, model, uploadTensor(ctx.device, xv, [B, 2, 6, 5]), uploadTensor(ctx.device, lv, [B]), null, 1, [], { labelSmoothing: 0.1 });
    const kernels = step.dispatches.map((d) => d.kernel);
    expect(kernels).toContain('pool2d.max_relu_fwd.v3');
    expect(kernels.filter((k) => k.startsWith('relu.'))).toEqual([]);
    expect(model.store.params.map((p) => p.name)).toEqual(['3.linear.weight', '3.linear.bias', '5.linear.weight', '5.linear.bias']);
    step.run();
    const grads = await readTensor(ctx.device, model.store.flat(model.store.grads));
    const { lossSum } = await step.readMetrics();
    // The same step through the float64 references, label smoothing 0.1.
    const w = (i: number) => init.subarray(model.store.params[i].offset, model.store.params[i].offset + model.store.params[i].shape.reduce((a, b) => a * b));
    const gp = pool2dGeom([B, 2, 6, 5], { kernel: 2 });
    const f = maxPoolReluRef(xv, gp).y, h = linearRef(f, w(0), w(1), B, 12, 6, true), z = linearRef(h, w(2), w(3), B, 6, 3, false);
    const sx = softmaxXentRef(z, lv, B, 3, 1 / B, 0.1);
    const r2 = linearBwdRef(h, w(2), z, sx.dz, B, 6, 3, false), r1 = linearBwdRef(f, w(0), h, r2.dx, B, 12, 6, true);
    expectClose('loss', [lossSum], [sx.loss.reduce((a, b) => a + b) / B], FWD.atol, FWD.rtol);
    [r1.dw, r1.db, r2.dw, r2.db].forEach((want, i) => {
      const p = model.store.params[i];
      expectClose(`grad ${p.name}`, grads.subarray(p.offset, p.offset + want.length), want, GRAD.atol, GRAD.rtol);
    });
    step.destroy();
  });
});

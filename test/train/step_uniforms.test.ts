// The per-step uniform rewrites of a recorded training step: every step, each dropout's seed is
// rewritten by name (dispatch.set), so step t's mask is the hash of its own seed and nothing else
// in the dropout's uniform moves.
import { describe, it } from 'vitest';
import { Sequential, type ModelSpec } from '../../src/nn/model.js';
import { TrainStep } from '../../src/train/step.js';
import { readTensor, uploadTensor } from '../../src/gpu/buffers.js';
import { dropoutMaskRef } from '../../src/kernels/dropout/ref.js';
import { matmulRef } from '../../src/kernels/matmul/ref.js';
import { randomInts, uniform } from '../../src/util/rng.js';
import { gpu } from '../helpers/gpu.js';
import { expectClose, FWD } from '../helpers/check.js';

const spec: ModelSpec = {
  name: 'drop', input: [1, 3, 5], classes: 3,
  layers: [{ type: 'flatten' }, { type: 'dropout', rate: 0.5 }, { type: 'linear', in: 15, out: 6 }, { type: 'dropout', rate: 0.25 }, { type: 'linear', in: 6, out: 3 }],
};

describe('training step uniforms', () => {
  it('rewrites each dropout seed every step: logits match the reference masks of steps 1 and 2', async () => {
    const ctx = await gpu();
    const B = 4, seed = 9;
    const model = new Sequential(spec);
    const init = model.store.initialValues(7);
    model.store.materialize(ctx, init);
    const xv = uniform(B * 15, 3);
    const step = await TrainStep.build(ctx, model, uploadTensor(ctx.device, xv, [B, 1, 3, 5]), uploadTensor(ctx.device, randomInts(B, 4, 3), [B]), null, seed);
    const P = Object.fromEntries(model.store.params.map((p) => [p.name, p]));
    const w = (name: string) => init.subarray(P[name].offset, P[name].offset + P[name].shape.reduce((a, b) => a * b));
    // The trainer's seed for dropout i at step t (src/train/step.ts).
    const seedOf = (i: number, t: number) => (Math.imul(seed, 7919) + i * 104729 + t) >>> 0;
    for (const t of [1, 2]) {
      step.prepare(t, 0.1, seed);
      step.run();
      const m0 = dropoutMaskRef(B * 15, seedOf(0, t), 0.5), m1 = dropoutMaskRef(B * 6, seedOf(1, t), 0.25);
      const h = matmulRef(xv.map((v, i) => v * m0[i]), w('2.linear.weight'), B, 6, 15, false, true).map((v, i) => (v + w('2.linear.bias')[i % 6]) * m1[i]);
      const z = matmulRef(h, w('4.linear.weight'), B, 3, 6, false, true).map((v, i) => v + w('4.linear.bias')[i % 3]);
      expectClose(`logits at step ${t}`, await readTensor(ctx.device, step.logits), z, FWD.atol, FWD.rtol);
    }
    step.destroy();
  });
});

// softmaxCrossEntropy through the autograd Graph with each softmax_xent version forced. The op
// seeds the logits' gradient itself (the fused forward writes it), so nothing is seeded from
// outside: the per-row losses and the logits' gradient (softmax - onehot) / B are checked, and,
// with the logits from a dense layer, the gradients the backward carries from there. trainingLoss
// (the step's loss pass) the same way: its running loss total, the correct count and the gradient.
import { describe, expect, it } from 'vitest';
import * as F from '../../src/autograd/ops.js';
import { softmaxXentFamily } from '../../src/kernels/softmax_xent/family.js';
import { softmaxXentRef } from '../../src/kernels/softmax_xent/ref.js';
import { matmulRef } from '../../src/kernels/matmul/ref.js';
import { correctRef } from '../../src/kernels/metrics/ref.js';
import { fill } from '../../src/kernels/elementwise/family.js';
import { uploadTensor } from '../../src/gpu/buffers.js';
import { randomInts } from '../../src/util/rng.js';
import { gpu, readU32 } from '../helpers/gpu.js';
import { checkForced } from '../helpers/graph_op.js';

// [B, K, scale of the logits]: large logits check the max subtraction.
const SHAPES: Array<[number, number, number]> = [[1, 2, 1], [5, 10, 1], [16, 3, 1], [4, 7, 60]];
const labelsFor = (B: number, K: number) => Uint32Array.from(randomInts(B, 3, K));

describe('softmaxCrossEntropy through the Graph', () => {
  it.each(softmaxXentFamily.versions.flatMap((v) => SHAPES.map((s) => [`${v.name}, logits [${s[0]}, ${s[1]}] x ${s[2]}`, v.name, s] as const)))(
    '%s', async (_n, version, [B, K, scale]) => {
      const z = Float32Array.from({ length: B * K }, (_, i) => scale * Math.sin(i * 12.9898 + 1));
      await checkForced(await gpu(), [{ family: softmaxXentFamily, version, shapes: [{ B, K }] }], {
        inputs: [{ shape: [B, K], grad: true, values: z }, { shape: [B], values: labelsFor(B, K) }],
        build: async (g, [logits, labels]) => ({ y: await F.softmaxCrossEntropy(g, logits, labels.t), root: logits }),
        ref: ([z, labels]) => {
          const r = softmaxXentRef(z, labels, B, K);
          return { y: r.loss, grads: [r.dz, null] };
        },
      });
    });

  it.each(softmaxXentFamily.versions.map((v) => v.name))('%s, logits from a dense layer: the backward starts at the seeded logits', async (version) => {
    const [B, I, K] = [6, 5, 4];
    await checkForced(await gpu(), [{ family: softmaxXentFamily, version, shapes: [{ B, K }] }], {
      inputs: [{ shape: [B, I], grad: true }, { shape: [K, I], grad: true }, { shape: [K], grad: true }, { shape: [B], values: labelsFor(B, K) }],
      build: async (g, [x, w, b, labels]) => {
        const logits = await F.linear(g, x, w, b);
        return { y: await F.softmaxCrossEntropy(g, logits, labels.t), root: logits };
      },
      ref: ([x, w, b, labels]) => {
        const z = matmulRef(x, w, B, K, I, false, true).map((v, i) => v + b[i % K]);
        const { loss, dz } = softmaxXentRef(z, labels, B, K);
        const db = new Float64Array(K);
        for (let i = 0; i < B * K; i++) db[i % K] += dz[i];
        return { y: loss, grads: [matmulRef(dz, w, B, I, K), matmulRef(dz, x, K, I, B, true, false), db, null] };
      },
    });
  });
});

describe('trainingLoss through the Graph', () => {
  const cases = softmaxXentFamily.versions.flatMap((v) => [0, 0.2].flatMap((eps) => SHAPES.map((s) => [`${v.name}, smoothing ${eps}, logits [${s[0]}, ${s[1]}] x ${s[2]}`, v.name, eps, s] as const)));
  it.each(cases)('%s', async (_n, version, eps, [B, K, scale]) => {
    const ctx = await gpu();
    const z = Float32Array.from({ length: B * K }, (_, i) => scale * Math.sin(i * 12.9898 + 1)), lv = labelsFor(B, K);
    const correct = uploadTensor(ctx.device, new Uint32Array([7]), [1]);
    await checkForced(ctx, [{ family: softmaxXentFamily, version, shapes: [{ B, K, ...(eps ? { smoothing: true } : {}) }] }], {
      inputs: [{ shape: [B, K], grad: true, values: z }, { shape: [B], values: lv }],
      build: async (g, [logits, labels]) => {
        // The total the op adds to (poisoned by the check first, so filled at run time): earlier batches' 0.25.
        const loss = g.alloc([1]);
        g.forward.push(await fill(ctx, loss, 0.25));
        await F.trainingLoss(g, logits, labels.t, { loss, correct }, eps);
        return { y: loss, root: logits };
      },
      ref: ([z, labels]) => {
        const r = softmaxXentRef(z, labels, B, K, 1 / B, eps);
        return { y: [0.25 + r.loss.reduce((a, b) => a + b) / B], grads: [r.dz, null] };
      },
    });
    // An unfit forced version ran nothing; otherwise the count gained this batch's correct rows.
    const fits = !softmaxXentFamily.versions.find((v) => v.name === version)!.unfit({ B, K, ...(eps ? { smoothing: true } : {}) }, ctx.limits);
    expect((await readU32(ctx, correct))[0]).toBe(7 + (fits ? correctRef(z, lv, B, K) : 0));
    correct.buffer.destroy();
  });
});

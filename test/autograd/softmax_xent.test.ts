// softmaxCrossEntropy through the autograd Graph with each softmax_xent version forced. The op
// seeds the logits' gradient itself (the fused forward writes it), so nothing is seeded from
// outside: the per-row losses and the logits' gradient (softmax - onehot) / B are checked, and,
// with the logits from a dense layer, the gradients the backward carries from there.
import { describe, it } from 'vitest';
import * as F from '../../src/autograd/ops.js';
import { softmaxXentFamily } from '../../src/kernels/softmax_xent/family.js';
import { softmaxXentRef } from '../../src/kernels/softmax_xent/ref.js';
import { matmulRef } from '../../src/kernels/matmul/ref.js';
import { randomInts } from '../../src/util/rng.js';
import { gpu } from '../helpers/gpu.js';
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

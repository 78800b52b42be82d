// Inverted dropout through the autograd Graph (a training graph, fixed seeds) with each dropout
// version forced: the mask is a counter-based hash of (seed, index), so the float64 reference
// regenerates it exactly: y = x * mask and dx = dy * mask, mask 0 or 1 / (1 - rate).
import { describe, expect, it } from 'vitest';
import * as F from '../../src/autograd/ops.js';
import { dropoutFamily } from '../../src/kernels/dropout/family.js';
import { dropoutMaskRef } from '../../src/kernels/dropout/ref.js';
import { gpu } from '../helpers/gpu.js';
import { checkForced } from '../helpers/graph_op.js';

const CASES: Array<[number[], number, number]> = [[[2, 3, 5, 5], 0.5, 1234], [[7, 9], 0.25, 7], [[4, 5], 0.9, 0xdeadbeef], [[3, 3], 0, 5]];

describe('dropout through the Graph', () => {
  it.each(dropoutFamily.versions.flatMap((v) => CASES.map(([s, rate, seed]) => [`${v.name}, [${s.join(', ')}] rate ${rate} seed ${seed}`, v.name, s, rate, seed] as const)))(
    '%s', async (_n, version, shape, rate, seed) => {
      const n = shape.reduce((a, b) => a * b);
      const mask = dropoutMaskRef(n, seed, rate);
      // The mask is not trivial where the rate is not 0: some elements dropped, some kept.
      const dropped = mask.filter((m) => m === 0).length;
      if (rate > 0) expect(dropped > 0 && dropped < n).toBe(true);
      await checkForced(await gpu(), [{ family: dropoutFamily, version, shapes: [{ n }] }], {
        inputs: [{ shape, grad: true }],
        build: async (g, [x]) => {
          expect(g.training).toBe(true);
          return (await F.dropout(g, x, rate, seed)).out;
        },
        ref: ([x], dy) => ({ y: mask.map((m, i) => x[i] * m), grads: [mask.map((m, i) => dy![i] * m)] }),
      });
    });
});

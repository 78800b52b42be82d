// relu through the autograd Graph with each relu version forced: y = max(x, 0) and dx = dy
// where x > 0 (0 at x = 0, as PyTorch), over odd sizes and inputs with exact zeros.
import { describe, it } from 'vitest';
import * as F from '../../src/autograd/ops.js';
import { reluFamily } from '../../src/kernels/activation/family.js';
import { reluBwdRef, reluRef } from '../../src/kernels/activation/ref.js';
import { gpu } from '../helpers/gpu.js';
import { checkForced, type GraphOpInput } from '../helpers/graph_op.js';

const INPUTS: Array<[string, GraphOpInput]> = [
  ['[2, 3, 5, 5]', { shape: [2, 3, 5, 5], grad: true }],
  ['[7]', { shape: [7], grad: true }],
  ['[3, 4] with zeros and -0', { shape: [3, 4], grad: true, values: Float32Array.from([0, -0, 1, -1, 0.5, 0, -2, 3, -0, 1e-30, -1e-30, 0]) }],
];

describe('relu through the Graph', () => {
  it.each(reluFamily.versions.flatMap((v) => INPUTS.map(([n, i]) => [`${v.name}, ${n}`, v.name, i] as const)))('%s', async (_n, version, input) => {
    await checkForced(await gpu(), [{ family: reluFamily, version, shapes: [{ n: input.shape.reduce((a, b) => a * b) }] }], {
      inputs: [input],
      build: (g, [x]) => F.relu(g, x),
      ref: ([x], dy) => ({ y: reluRef(x), grads: [reluBwdRef(x, dy!)] }),
    });
  });
});

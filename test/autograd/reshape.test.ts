// reshape through the autograd Graph: a view (no copy) whose gradient is a view of its input's,
// so the gradient flows through it: alone, under relu, as LeNet's flatten before a dense layer,
// and with one input reshaped twice (the second contribution accumulates into the shared storage).
import { describe, it } from 'vitest';
import * as F from '../../src/autograd/ops.js';
import { reluBwdRef, reluRef } from '../../src/kernels/activation/ref.js';
import { matmulRef } from '../../src/kernels/matmul/ref.js';
import { gpu } from '../helpers/gpu.js';
import { checkGraphOp } from '../helpers/graph_op.js';

describe('reshape through the Graph', () => {
  it('alone: y = x, dx = dy', async () => {
    await checkGraphOp(await gpu(), {
      inputs: [{ shape: [2, 3, 5, 5], grad: true }],
      build: async (g, [x]) => F.reshape(x, [6, 25]),
      ref: ([x], dy) => ({ y: x, grads: [dy!] }),
    });
  });

  it('relu(reshape(x))', async () => {
    await checkGraphOp(await gpu(), {
      inputs: [{ shape: [3, 7], grad: true }],
      build: (g, [x]) => F.relu(g, F.reshape(x, [7, 3])),
      ref: ([x], dy) => ({ y: reluRef(x), grads: [reluBwdRef(x, dy!)] }),
    });
  });

  it('linear(reshape(relu(x))): the flatten before a dense layer', async () => {
    const [N, C, H, W, O] = [2, 3, 2, 3, 5], I = C * H * W;
    await checkGraphOp(await gpu(), {
      inputs: [{ shape: [N, C, H, W], grad: true }, { shape: [O, I], grad: true }, { shape: [O], grad: true }],
      build: async (g, [x, w, b]) => F.linear(g, F.reshape(await F.relu(g, x), [N, I]), w, b),
      ref: ([x, w, b], dy) => {
        const r = reluRef(x);
        const y = matmulRef(r, w, N, O, I, false, true).map((v, i) => v + b[i % O]);
        const db = new Float64Array(O);
        for (let i = 0; i < N * O; i++) db[i % O] += dy![i];
        return { y, grads: [reluBwdRef(x, matmulRef(dy!, w, N, I, O)), matmulRef(dy!, r, O, I, N, true, false), db] };
      },
      atolScale: Math.sqrt(I),
    });
  });

  it('add(reshape(x), reshape(x)): two views of one input', async () => {
    await checkGraphOp(await gpu(), {
      inputs: [{ shape: [4, 6], grad: true }],
      build: (g, [x]) => F.add(g, F.reshape(x, [2, 12]), F.reshape(x, [2, 12])),
      ref: ([x], dy) => ({ y: Float64Array.from(x, (v) => 2 * v), grads: [Float64Array.from(dy!, (v) => 2 * v)] }),
    });
  });
});

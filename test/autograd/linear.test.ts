// The dense layer through the autograd Graph, with every matmul version and every bias version
// forced in turn: the forward and the gradients of x, W and b against float64 references.
import { describe, it } from 'vitest';
import * as F from '../../src/autograd/ops.js';
import { matmulFamily } from '../../src/kernels/matmul/family.js';
import { biasFamily } from '../../src/kernels/bias/family.js';
import { matmulRef } from '../../src/kernels/matmul/ref.js';
import { gpu } from '../helpers/gpu.js';
import { checkForced } from '../helpers/graph_op.js';

// [batch, in, out]: all multiples of 4 (every version fits), and odd sizes (v4 cannot).
const SHAPES: Array<[number, number, number]> = [[4, 8, 12], [3, 7, 5], [1, 12, 1]];

function linearRef([x, w, b]: ArrayLike<number>[], dy: ArrayLike<number>, B: number, I: number, O: number) {
  const y = matmulRef(x, w, B, O, I, false, true);
  for (let n = 0; n < B; n++) for (let o = 0; o < O; o++) y[n * O + o] += b[o];
  const db = new Float64Array(O);
  for (let n = 0; n < B; n++) for (let o = 0; o < O; o++) db[o] += dy[n * O + o];
  return { y, grads: [matmulRef(dy, w, B, I, O), matmulRef(dy, x, O, I, B, true, false), db] };
}

describe('linear through the Graph, each matmul and bias version forced', () => {
  const cases = matmulFamily.versions.flatMap((m) => biasFamily.versions.flatMap((b) =>
    SHAPES.map((s) => [`matmul ${m.name}, bias ${b.name}, batch ${s[0]}, ${s[1]} -> ${s[2]}`, m.name, b.name, s] as const)));
  it.each(cases)('%s', async (_n, matmul, bias, [B, I, O]) => {
    const ctx = await gpu();
    // The forward, dW = dy^T x and dx = dy W.
    const gemms = [[B, O, I, false, true], [O, I, B, true, false], [B, I, O, false, false]].map(([M, N, K, transA, transB]) => ({ M, N, K, transA, transB }));
    await checkForced(ctx, [
      { family: matmulFamily, version: matmul, shapes: gemms },
      { family: biasFamily, version: bias, shapes: [{ N: B, C: O, S: 1 }] },
    ], {
      inputs: [{ shape: [B, I], grad: true }, { shape: [O, I], grad: true }, { shape: [O], grad: true }],
      build: (g, [x, w, b]) => F.linear(g, x, w, b),
      ref: (xs, dy) => linearRef(xs, dy!, B, I, O),
      atolScale: Math.sqrt(Math.max(B, I, O)),
    });
  });
});

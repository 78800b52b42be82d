// The dense layer through the autograd Graph, with every matmul version forced in turn: the
// forward and the gradients of x, W and b against float64 references.
import { describe, expect, it } from 'vitest';
import * as F from '../../src/autograd/ops.js';
import { matmulFamily } from '../../src/kernels/matmul/family.js';
import { matmulRef } from '../../src/kernels/matmul/ref.js';
import { gpu } from '../helpers/gpu.js';
import { checkGraphOp } from '../helpers/graph_op.js';

// [batch, in, out]: all multiples of 4 (every version fits), and odd sizes (v4 cannot).
const SHAPES: Array<[number, number, number]> = [[4, 8, 12], [3, 7, 5], [1, 12, 1]];

function linearRef([x, w, b]: Float32Array[], dy: Float32Array, B: number, I: number, O: number) {
  const y = matmulRef(x, w, B, O, I, false, true);
  for (let n = 0; n < B; n++) for (let o = 0; o < O; o++) y[n * O + o] += b[o];
  const db = new Float64Array(O);
  for (let n = 0; n < B; n++) for (let o = 0; o < O; o++) db[o] += dy[n * O + o];
  return { y, grads: [matmulRef(dy, w, B, I, O), matmulRef(dy, x, O, I, B, true, false), db] };
}

describe('linear through the Graph, each matmul version forced', () => {
  const cases = matmulFamily.versions.flatMap((v) => SHAPES.map((s) => [`matmul ${v.name}, batch ${s[0]}, ${s[1]} -> ${s[2]}`, v.name, s] as const));
  it.each(cases)('%s', async (_n, version, [B, I, O]) => {
    const ctx = await gpu();
    ctx.select.force('matmul', version);
    try {
      const c = {
        inputs: [{ shape: [B, I], grad: true }, { shape: [O, I], grad: true }, { shape: [O], grad: true }],
        build: (g: Parameters<typeof F.linear>[0], [x, w, b]: Parameters<typeof F.linear>[1][]) => F.linear(g, x, w, b),
        ref: (xs: Float32Array[], dy: Float32Array) => linearRef(xs, dy, B, I, O),
        atolScale: Math.sqrt(Math.max(B, I, O)),
      };
      const unfit = [[B, O, I, false, true], [O, I, B, true, false], [B, I, O, false, false]]
        .map(([M, N, K, transA, transB]) => matmulFamily.versions.find((v) => v.name === version)!.unfit({ M, N, K, transA, transB } as never, ctx.limits))
        .find(Boolean);
      if (unfit) await expect(checkGraphOp(ctx, c)).rejects.toThrow(`--kernels matmul=${version}: ${version} cannot take`);
      else await checkGraphOp(ctx, c);
    } finally {
      ctx.select.force('matmul', null);
    }
  });
});

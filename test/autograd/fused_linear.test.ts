// fusedLinear (a dense layer with its bias and optional ReLU in the GEMM) through the autograd
// Graph against float64 references: alone, with each matmul version forced (those that fuse
// nothing must refuse); two layers in a row, where the second stores dx through the first's ReLU
// mask and the first then reads dy unmasked; a fan-out whose unmasked contribution makes the
// layer mask on load again; weights shared by two layers; a bias that trains under frozen weights.
import { describe, expect, it } from 'vitest';
import * as F from '../../src/autograd/ops.js';
import { matmulFamily, type MatmulShape } from '../../src/kernels/matmul/family.js';
import { linearBwdRef, linearRef } from '../../src/kernels/matmul/ref.js';
import { gpu } from '../helpers/gpu.js';
import { checkForced, checkGraphOp } from '../helpers/graph_op.js';

type A = ArrayLike<number>;
const add = (a: A, b: A) => Float64Array.from(a, (v, i) => v + b[i]);

/** The three GEMMs of one layer's forward and backward, as the op asks for them (dy seeded, so unmasked). */
function gemms(B: number, I: number, O: number, relu: boolean): MatmulShape[] {
  return [
    { M: B, N: O, K: I, transA: false, transB: true, fuse: { bias: true, relu } },
    { M: O, N: I, K: B, transA: true, transB: false, fuse: { maskA: relu, rowSums: true } },
    { M: B, N: I, K: O, transA: false, transB: false, ...(relu ? { fuse: { maskA: true } } : {}) },
  ];
}

const SHAPES: Array<[number, number, number]> = [[4, 8, 12], [3, 7, 5], [1, 12, 1], [64, 84, 10]];

describe('fusedLinear through the Graph', () => {
  const cases = matmulFamily.versions.flatMap((v) => [true, false].flatMap((relu) => SHAPES.map((s) => [`matmul ${v.name}, relu ${relu}, batch ${s[0]}, ${s[1]} -> ${s[2]}`, v.name, relu, s] as const)));
  it.each(cases)('%s', async (_n, version, relu, [B, I, O]) => {
    await checkForced(await gpu(), [{ family: matmulFamily, version, shapes: gemms(B, I, O, relu) }], {
      inputs: [{ shape: [B, I], grad: true }, { shape: [O, I], grad: true }, { shape: [O], grad: true }],
      build: (g, [x, w, b]) => F.fusedLinear(g, x, w, b, { relu }),
      ref: ([x, w, b], dy) => {
        const y = linearRef(x, w, b, B, I, O, relu), r = linearBwdRef(x, w, y, dy!, B, I, O, relu);
        return { y, grads: [r.dx, r.dw, r.db] };
      },
      atolScale: Math.sqrt(Math.max(B, I, O)),
    });
  });

  it.each([true, false])('two layers (second relu %s): the second stores dx through the first ReLU\'s mask, the first reads dy unmasked', async (relu2) => {
    const ctx = await gpu();
    const [B, I, H, O] = [6, 12, 8, 5];
    const from = ctx.select.decisions.length;
    await checkGraphOp(ctx, {
      inputs: [{ shape: [B, I], grad: true }, { shape: [H, I], grad: true }, { shape: [H], grad: true }, { shape: [O, H], grad: true }, { shape: [O], grad: true }],
      build: async (g, [x, w1, b1, w2, b2]) => F.fusedLinear(g, await F.fusedLinear(g, x, w1, b1, { relu: true }), w2, b2, { relu: relu2 }),
      ref: ([x, w1, b1, w2, b2], dy) => {
        const h = linearRef(x, w1, b1, B, I, H, true), y = linearRef(h, w2, b2, B, H, O, relu2);
        const r2 = linearBwdRef(h, w2, y, dy!, B, H, O, relu2), r1 = linearBwdRef(x, w1, h, r2.dx, B, I, H, true);
        return { y, grads: [r1.dx, r1.dw, r1.db, r2.dw, r2.db] };
      },
      atolScale: 3,
    });
    // The masks each GEMM applied: layer 2's dx on store, layer 1's on neither side.
    const shapes = ctx.select.decisions.slice(from).filter((d) => d.family === 'matmul').map((d) => d.shape);
    expect(shapes).toContain(`[${B}x${O}] x [${O}x${H}]${relu2 ? ' with A masked by ReLU, C masked by ReLU' : ' with C masked by ReLU'}`);
    expect(shapes).toContain(`[${H}x${B}](A^T) x [${B}x${I}] with row sums`);
    expect(shapes).toContain(`[${B}x${H}] x [${H}x${I}]`);
  });

  it('a ReLU output also read by a plain op: its gradient is masked on load again', async () => {
    const ctx = await gpu();
    const [B, I, H] = [5, 8, 8];
    await checkGraphOp(ctx, {
      inputs: [{ shape: [B, I], grad: true }, { shape: [H, I], grad: true }, { shape: [H], grad: true }, { shape: [H, H], grad: true }, { shape: [H], grad: true }],
      build: async (g, [x, w1, b1, w2, b2]) => {
        const h = await F.fusedLinear(g, x, w1, b1, { relu: true });
        return F.add(g, await F.fusedLinear(g, h, w2, b2), await F.relu(g, h));
      },
      ref: ([x, w1, b1, w2, b2], dy) => {
        const h = linearRef(x, w1, b1, B, I, H, true), y2 = linearRef(h, w2, b2, B, H, H, false);
        const r2 = linearBwdRef(h, w2, y2, dy!, B, H, H, false);
        const dh = add(r2.dx, Float64Array.from(dy!, (v, i) => (h[i] > 0 ? v : 0)));
        const r1 = linearBwdRef(x, w1, h, dh, B, I, H, true);
        return { y: add(y2, h), grads: [r1.dx, r1.dw, r1.db, r2.dw, r2.db] };
      },
      atolScale: 3,
    });
  });

  it('weights shared by two layers with their own biases: dW accumulates, each db is its own', async () => {
    const [B, I, O] = [4, 8, 4];
    await checkGraphOp(await gpu(), {
      inputs: [{ shape: [B, I], grad: true }, { shape: [B, I], grad: true }, { shape: [O, I], grad: true }, { shape: [O], grad: true }, { shape: [O], grad: true }],
      build: async (g, [x1, x2, w, b1, b2]) => F.add(g, await F.fusedLinear(g, x1, w, b1, { relu: true }), await F.fusedLinear(g, x2, w, b2, { relu: true })),
      ref: ([x1, x2, w, b1, b2], dy) => {
        const y1 = linearRef(x1, w, b1, B, I, O, true), y2 = linearRef(x2, w, b2, B, I, O, true);
        const r1 = linearBwdRef(x1, w, y1, dy!, B, I, O, true), r2 = linearBwdRef(x2, w, y2, dy!, B, I, O, true);
        return { y: add(y1, y2), grads: [r1.dx, r2.dx, add(r1.dw, r2.dw), r1.db, r2.db] };
      },
      atolScale: 3,
    });
  });

  it('a bias that trains under frozen weights and input', async () => {
    const [B, I, O] = [3, 5, 6];
    await checkGraphOp(await gpu(), {
      inputs: [{ shape: [B, I] }, { shape: [O, I] }, { shape: [O], grad: true }],
      build: (g, [x, w, b]) => F.fusedLinear(g, x, w, b, { relu: true }),
      ref: ([x, w, b], dy) => {
        const y = linearRef(x, w, b, B, I, O, true);
        return { y, grads: [null, null, linearBwdRef(x, w, y, dy!, B, I, O, true).db] };
      },
    });
  });
});

// The float64 references' backward passes against central finite differences of their forwards:
// for L(x) = sum(f(x) * r) with a fixed random r, dL/dx must equal backward(r).
import { describe, expect, it } from 'vitest';
import { conv2dGeom } from '../../src/kernels/conv2d/geometry.js';
import { pool2dGeom } from '../../src/kernels/pool2d/family.js';
import { conv2dBwdBiasRef, conv2dBwdInputRef, conv2dBwdWeightRef, conv2dRef } from '../../src/kernels/conv2d/ref.js';
import { biasAddRef, biasGradRef } from '../../src/kernels/bias/ref.js';
import { avgPoolBwdRef, avgPoolRef, globalAvgPoolBwdRef, globalAvgPoolRef, maxPoolBwdRef, maxPoolReluBwdRef, maxPoolReluRef, maxPoolRef } from '../../src/kernels/pool2d/ref.js';
import { bnBackwardRef, bnTrainRef } from '../../src/kernels/batchnorm/ref.js';
import { softmaxXentRef } from '../../src/kernels/softmax_xent/ref.js';
import { reluBwdRef, reluRef } from '../../src/kernels/activation/ref.js';
import { linearBwdRef, linearRef, matmulRef } from '../../src/kernels/matmul/ref.js';
import { dropoutMaskRef } from '../../src/kernels/dropout/ref.js';
import { randomInts, uniform } from '../../src/util/rng.js';
import { expectClose } from '../helpers/check.js';

const rnd = (n: number, seed: number) => Float64Array.from(uniform(n, seed));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };

/** [rows, cols] row-major -> [cols, rows]. */
const transpose = (a: Float64Array, rows: number, cols: number) => a.map((_, i) => a[(i % rows) * cols + Math.floor(i / rows)]);

/** Central differences of L at every coordinate of x (h chosen for float64 and smooth-enough f). */
function numericGrad(L: (x: Float64Array) => number, x: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xp = Float64Array.from(x), xm = Float64Array.from(x);
    xp[i] += h; xm[i] -= h;
    g[i] = (L(xp) - L(xm)) / (2 * h);
  }
  return g;
}

const check = (label: string, analytic: ArrayLike<number>, L: (x: Float64Array) => number, x: Float64Array) =>
  expectClose(label, analytic, numericGrad(L, x), 1e-7, 1e-6);

describe('float64 references vs finite differences', () => {
  const convCases = [
    { x: [1, 1, 5, 6], w: [2, 1, 3, 3], stride: 1, padding: 0 },
    { x: [2, 3, 7, 5], w: [2, 3, 3, 3], stride: 2, padding: 1 },
    { x: [1, 3, 6, 6], w: [1, 3, 5, 5], stride: 1, padding: 1 },
    { x: [2, 1, 5, 5], w: [3, 1, 1, 1], stride: 2, padding: 0 },
  ];
  it.each(convCases.map((c) => [JSON.stringify(c), c] as const))('conv2d %s', (_n, c) => {
    const g = conv2dGeom(c.x, c.w, c);
    const x = rnd(c.x.reduce((a, b) => a * b), 1), w = rnd(c.w.reduce((a, b) => a * b), 2), b = rnd(g.K, 3);
    const r = rnd(g.N * g.K * g.OH * g.OW, 4);
    check('dx', conv2dBwdInputRef(r, w, g), (xx) => dot(conv2dRef(xx, w, b, g), r), x);
    check('dw', conv2dBwdWeightRef(x, r, g), (ww) => dot(conv2dRef(x, ww, b, g), r), w);
    check('db', biasGradRef(r, g.N, g.K, g.OH * g.OW), (bb) => dot(conv2dRef(x, w, bb, g), r), b);
    check('db (bias add)', biasGradRef(r, g.N, g.K, g.OH * g.OW), (bb) => dot(biasAddRef(new Float64Array(r.length), bb, g.N, g.K, g.OH * g.OW), r), b);
  });

  it('conv2d with the fused ReLU (the backward masks with the forward output)', () => {
    const g = conv2dGeom([2, 3, 7, 5], [2, 3, 3, 3], { stride: 2, padding: 1, relu: true });
    const x = rnd(2 * 3 * 7 * 5, 5), w = rnd(2 * 3 * 3 * 3, 6), b = rnd(g.K, 7), r = rnd(g.N * g.K * g.OH * g.OW, 8);
    const y = conv2dRef(x, w, b, g);
    expect(y.some((v) => v === 0) && y.some((v) => v > 0)).toBe(true);
    check('dx', conv2dBwdInputRef(r, w, g, y), (xx) => dot(conv2dRef(xx, w, b, g), r), x);
    check('dw', conv2dBwdWeightRef(x, r, g, y), (ww) => dot(conv2dRef(x, ww, b, g), r), w);
    check('db', conv2dBwdBiasRef(r, g, y), (bb) => dot(conv2dRef(x, w, bb, g), r), b);
  });

  it.each([[2, 2, 0], [3, 2, 1], [3, 1, 1], [5, 2, 2]])('max/avg pool k%i s%i p%i', (k, s, p) => {
    const g = pool2dGeom([2, 3, 7, 6], { kernel: k, stride: s, padding: p });
    const x = rnd(2 * 3 * 7 * 6, k * 10 + s), r = rnd(g.N * g.C * g.OH * g.OW, 5);
    check('max dx', maxPoolBwdRef(x, r, g), (xx) => dot(maxPoolRef(xx, g).y, r), x);
    check('avg dx', avgPoolBwdRef(r, g), (xx) => dot(avgPoolRef(xx, g), r), x);
    check('max of relu dx', maxPoolReluBwdRef(x, r, g), (xx) => dot(maxPoolReluRef(xx, g).y, r), x);
  });

  it.each([[2, 3, 7, 6], [1, 1, 1, 1], [3, 2, 1, 4]])('global average pool [%i, %i, %i, %i]', (N, C, H, W) => {
    const x = rnd(N * C * H * W, 31), r = rnd(N * C, 32);
    check('dx', globalAvgPoolBwdRef(r, N, C, H, W), (xx) => dot(globalAvgPoolRef(xx, N, C, H, W), r), x);
  });

  // Training mode: the batch statistics depend on x, so dx has the mean and variance terms.
  it.each([[3, 2, 2, 3], [4, 3, 1, 1], [2, 1, 1, 1], [1, 3, 2, 2]])('batchnorm (training) [%i, %i, %i, %i]', (N, C, H, W) => {
    const s = { N, C, S: H * W }, eps = 1e-5;
    const x = rnd(N * C * H * W, 33).map((v) => 2 * v + 0.5), gamma = rnd(C, 34), beta = rnd(C, 35), r = rnd(N * C * H * W, 36);
    const g = bnBackwardRef(x, gamma, r, s, eps);
    check('dx', g.dx, (xx) => dot(bnTrainRef(xx, gamma, beta, s, eps).y, r), x);
    check('dgamma', g.dgamma, (gg) => dot(bnTrainRef(x, gg, beta, s, eps).y, r), gamma);
    check('dbeta', g.dbeta, (bb) => dot(bnTrainRef(x, gamma, bb, s, eps).y, r), beta);
  });

  it.each([[false, false], [true, false], [false, true], [true, true]])('matmul transA=%s transB=%s', (ta, tb) => {
    const [M, N, K] = [4, 5, 3];
    const A = rnd(M * K, 6), B = rnd(K * N, 7), R = rnd(M * N, 8);
    const L = (a: Float64Array, b: Float64Array) => dot(matmulRef(a, b, M, N, K, ta, tb), R);
    // dL/dop(A) = R op(B)^T, dL/dop(B) = op(A)^T R, then undo the storage transposes.
    const dOpA = matmulRef(R, B, M, K, N, false, !tb);          // [M,K]
    const dOpB = matmulRef(A, R, K, N, M, !ta, false);          // [K,N]
    const dA = ta ? transpose(dOpA, M, K) : dOpA;
    const dB = tb ? transpose(dOpB, K, N) : dOpB;
    check('dA', dA, (a) => L(a, B), A);
    check('dB', dB, (b) => L(A, b), B);
  });

  it.each([true, false])('dense layer, fused ReLU %s', (relu) => {
    const [B, I, O] = [3, 5, 4];
    const x = rnd(B * I, 13), w = rnd(O * I, 14), b = rnd(O, 15), r = rnd(B * O, 16);
    const g = linearBwdRef(x, w, linearRef(x, w, b, B, I, O, relu), r, B, I, O, relu);
    check('dx', g.dx, (xx) => dot(linearRef(xx, w, b, B, I, O, relu), r), x);
    check('dw', g.dw, (ww) => dot(linearRef(x, ww, b, B, I, O, relu), r), w);
    check('db', g.db, (bb) => dot(linearRef(x, w, bb, B, I, O, relu), r), b);
  });

  it('softmax cross-entropy with label smoothing', () => {
    const [B, K, eps] = [5, 7, 0.15];
    const z = rnd(B * K, 17).map((v) => 3 * v), labels = randomInts(B, 18, K);
    const meanLoss = (zz: Float64Array) => softmaxXentRef(zz, labels, B, K, 1 / B, eps).loss.reduce((a, b) => a + b) / B;
    check('smoothed xent', softmaxXentRef(z, labels, B, K, 1 / B, eps).dz, meanLoss, z);
  });

  it('relu, dropout and softmax cross-entropy', () => {
    const x = rnd(50, 9), r = rnd(50, 10);
    check('relu', reluBwdRef(x, r), (xx) => dot(reluRef(xx), r), x);
    const mask = dropoutMaskRef(50, 3, 0.3);
    check('dropout', r.map((v, i) => v * mask[i]), (xx) => dot(xx.map((v, i) => v * mask[i]), r), x);
    const [B, K] = [6, 10];
    const z = rnd(B * K, 11).map((v) => 3 * v), labels = randomInts(B, 12, K);
    const meanLoss = (zz: Float64Array) => softmaxXentRef(zz, labels, B, K).loss.reduce((a, b) => a + b) / B;
    check('softmax xent', softmaxXentRef(z, labels, B, K).dz, meanLoss, z);
  });
});

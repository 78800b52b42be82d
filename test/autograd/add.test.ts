// add through the autograd Graph with each elementwise version forced: both inputs' gradients,
// one input without a gradient, and add(a, a), whose second contribution accumulates (axpy).
import { describe, it } from 'vitest';
import * as F from '../../src/autograd/ops.js';
import { elementwiseFamily } from '../../src/kernels/elementwise/family.js';
import { gpu } from '../helpers/gpu.js';
import { checkForced, type GraphOpCase } from '../helpers/graph_op.js';

const SHAPES = [[2, 3, 5, 5], [7]];
const twice = (a: ArrayLike<number>) => Float64Array.from(a, (v) => 2 * v);

const CASES: Array<[string, (shape: number[]) => GraphOpCase]> = [
  ['a + b', (shape) => ({
    inputs: [{ shape, grad: true }, { shape, grad: true }],
    build: (g, [a, b]) => F.add(g, a, b),
    ref: ([a, b], dy) => ({ y: Float64Array.from(a, (v, i) => v + b[i]), grads: [dy!, dy!] }),
  })],
  ['a + b, b without a gradient', (shape) => ({
    inputs: [{ shape, grad: true }, { shape }],
    build: (g, [a, b]) => F.add(g, a, b),
    ref: ([a, b], dy) => ({ y: Float64Array.from(a, (v, i) => v + b[i]), grads: [dy!, null] }),
  })],
  ['a + a', (shape) => ({
    inputs: [{ shape, grad: true }],
    build: (g, [a]) => F.add(g, a, a),
    ref: ([a], dy) => ({ y: twice(a), grads: [twice(dy!)] }),
  })],
];

describe('add through the Graph', () => {
  it.each(elementwiseFamily.versions.flatMap((v) => CASES.flatMap(([n, make]) => SHAPES.map((s) => [`${v.name}, ${n}, [${s.join(', ')}]`, v.name, make, s] as const))))(
    '%s', async (_n, version, make, shape) => {
      await checkForced(await gpu(), [{ family: elementwiseFamily, version, shapes: [{ n: shape.reduce((a, b) => a * b) }] }], make(shape));
    });
});

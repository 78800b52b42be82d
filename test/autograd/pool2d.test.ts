// maxPool2d with each maxpool2d version forced and avgPool2d (one version) through the autograd
// Graph: the forward and the input gradient against float64 references, over kernel, stride and
// padding variants. maxpool2d v2 scatters per window, so it takes only windows that tile the
// input (stride = kernel, no padding) and must reject the others. With the ReLU before the pool
// fused (args.relu), v3 and v4 take the place of v1 and v2.
import { describe, it } from 'vitest';
import * as F from '../../src/autograd/ops.js';
import { avgPool2dFamily, maxPool2dFamily, pool2dGeom, type Pool2dArgs } from '../../src/kernels/pool2d/family.js';
import { avgPoolBwdRef, avgPoolRef, maxPoolBwdRef, maxPoolReluBwdRef, maxPoolReluRef, maxPoolRef } from '../../src/kernels/pool2d/ref.js';
import { gpu } from '../helpers/gpu.js';
import { checkForced } from '../helpers/graph_op.js';

const SHAPES: Array<{ name: string; x: number[]; args: Pool2dArgs }> = [
  { name: '[1, 1, 4, 6] k2 (tiles)', x: [1, 1, 4, 6], args: { kernel: 2 } },
  { name: '[2, 3, 5, 7] k2 (tiles; the last row and column are in no window)', x: [2, 3, 5, 7], args: { kernel: 2 } },
  { name: '[2, 1, 5, 6] k (2, 3) (tiles)', x: [2, 1, 5, 6], args: { kernel: [2, 3] } },
  { name: '[2, 3, 7, 7] k3 s2 (windows overlap)', x: [2, 3, 7, 7], args: { kernel: 3, stride: 2 } },
  { name: '[1, 2, 6, 5] k3 s1 p1', x: [1, 2, 6, 5], args: { kernel: 3, stride: 1, padding: 1 } },
  { name: '[1, 3, 7, 5] k3 s3 p1 (stride = kernel, but padded)', x: [1, 3, 7, 5], args: { kernel: 3, padding: 1 } },
  { name: '[2, 2, 6, 6] k2 s1 (windows overlap)', x: [2, 2, 6, 6], args: { kernel: 2, stride: 1 } },
];

describe('pooling through the Graph', () => {
  const maxCases = maxPool2dFamily.versions.flatMap((v) => SHAPES.map((s) => [`maxpool2d ${v.name}, ${s.name}`, v.name, s] as const));
  it.each(maxCases)('%s', async (_n, version, s) => {
    const geo = pool2dGeom(s.x, s.args);
    await checkForced(await gpu(), [{ family: maxPool2dFamily, version, shapes: [geo] }], {
      inputs: [{ shape: s.x, grad: true }],
      build: (g, [x]) => F.maxPool2d(g, x, s.args),
      ref: ([x], dy) => ({ y: maxPoolRef(x, geo).y, grads: [maxPoolBwdRef(x, dy!, geo)] }),
    });
  });

  it.each(maxCases)('%s, ReLU fused', async (_n, version, s) => {
    const geo = pool2dGeom(s.x, s.args);
    await checkForced(await gpu(), [{ family: maxPool2dFamily, version, shapes: [{ ...geo, relu: true }] }], {
      inputs: [{ shape: s.x, grad: true }],
      build: (g, [x]) => F.maxPool2d(g, x, { ...s.args, relu: true }),
      ref: ([x], dy) => ({ y: maxPoolReluRef(x, geo).y, grads: [maxPoolReluBwdRef(x, dy!, geo)] }),
    });
  });

  const avgCases = avgPool2dFamily.versions.flatMap((v) => SHAPES.map((s) => [`avgpool2d ${v.name}, ${s.name}`, v.name, s] as const));
  it.each(avgCases)('%s', async (_n, version, s) => {
    const geo = pool2dGeom(s.x, s.args);
    await checkForced(await gpu(), [{ family: avgPool2dFamily, version, shapes: [geo] }], {
      inputs: [{ shape: s.x, grad: true }],
      build: (g, [x]) => F.avgPool2d(g, x, s.args),
      ref: ([x], dy) => ({ y: avgPoolRef(x, geo), grads: [avgPoolBwdRef(dy!, geo)] }),
    });
  });
});

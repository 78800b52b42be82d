// conv2d through the autograd Graph with every conv2d version forced in turn: the forward and
// the gradients of x, w and b against float64 references, over odd sizes, 1 and 3 channels,
// stride 1 and 2, padding 0 and 1, batch 1 and 2, kernels 1 and 3, each without and with the
// fused ReLU. Then an input layer (x needs no gradient), the bias versions under v1 and v2, and
// fan-out: a conv output used twice, and x, w and b each feeding two convs, so the second
// contribution accumulates (accumulate=true, or a temporary and axpy for a gradient a version
// cannot accumulate).
import { describe, expect, it } from 'vitest';
import * as F from '../../src/autograd/ops.js';
import { Graph, type Var } from '../../src/autograd/graph.js';
import { uploadTensor } from '../../src/gpu/buffers.js';
import { conv2dFamily } from '../../src/kernels/conv2d/family.js';
import { biasFamily } from '../../src/kernels/bias/family.js';
import { conv2dGeom, type Conv2dGeom } from '../../src/kernels/conv2d/geometry.js';
import { conv2dBwdBiasRef, conv2dBwdInputRef, conv2dBwdWeightRef, conv2dRef } from '../../src/kernels/conv2d/ref.js';
import { gpu } from '../helpers/gpu.js';
import { checkForced, type GraphOpCase } from '../helpers/graph_op.js';

interface ConvCase { name: string; x: [number, number, number, number]; w: [number, number, number, number]; stride: number | [number, number]; padding: number | [number, number]; relu?: boolean }

// x [N, C, H, W], w [K, C, KH, KW].
const SHAPES: ConvCase[] = [
  { name: 'C=1 5x5 k3 s1 p0', x: [1, 1, 5, 5], w: [2, 1, 3, 3], stride: 1, padding: 0 },
  { name: 'batch 2 C=3 7x5 k3 s1 p1', x: [2, 3, 7, 5], w: [3, 3, 3, 3], stride: 1, padding: 1 },
  { name: 'batch 2 C=3 7x7 k3 s2 p1', x: [2, 3, 7, 7], w: [2, 3, 3, 3], stride: 2, padding: 1 },
  { name: 'batch 2 C=1 9x7 k3 s2 p0', x: [2, 1, 9, 7], w: [3, 1, 3, 3], stride: 2, padding: 0 },
  { name: 'C=3 6x5 k1 s1 p0', x: [1, 3, 6, 5], w: [5, 3, 1, 1], stride: 1, padding: 0 },
  { name: 'batch 2 C=3 5x7 k1 s2 p1 (border outputs see only padding)', x: [2, 3, 5, 7], w: [2, 3, 1, 1], stride: 2, padding: 1 },
  { name: 'C=3 6x7 k3x1 stride (1, 2) padding (1, 0)', x: [1, 3, 6, 7], w: [2, 3, 3, 1], stride: [1, 2], padding: [1, 0] },
];

const args = (s: ConvCase) => ({ stride: s.stride, padding: s.padding, relu: s.relu });
const geomOf = (s: ConvCase): Conv2dGeom => ({ ...conv2dGeom(s.x, s.w, args(s)), forwardOnly: false });
const conv = (g: Graph, [x, w, b]: Var[], s: ConvCase) => F.conv2d(g, x, w, b, args(s));

/** y and the three gradients for output gradient dy (with the ReLU, of its output); `xGrad` false: x needs none. */
function convRef([x, w, b]: ArrayLike<number>[], dy: ArrayLike<number>, geo: Conv2dGeom, xGrad = true) {
  const y = conv2dRef(x, w, b, geo);
  return {
    y,
    grads: [xGrad ? conv2dBwdInputRef(dy, w, geo, y) : null, conv2dBwdWeightRef(x, dy, geo, y), conv2dBwdBiasRef(dy, geo, y)],
  };
}

function convCase(s: ConvCase, opts: { xGrad?: boolean; fanOut?: 'output' | 'inputs' } = {}): GraphOpCase {
  const geo = geomOf(s), xGrad = opts.xGrad ?? true;
  const atolScale = Math.sqrt(Math.max(geo.C * geo.KH * geo.KW, geo.N * geo.OH * geo.OW, geo.K * geo.KH * geo.KW));
  const inputs = [{ shape: s.x, grad: xGrad }, { shape: s.w, grad: true }, { shape: [s.w[0]], grad: true }];
  if (opts.fanOut === 'output') {
    // relu(y) + y: y's gradient is add's contribution plus relu's (relu cannot accumulate: temporary + axpy).
    return {
      inputs, atolScale,
      build: async (g, vars) => {
        const y = await conv(g, vars, s);
        return F.add(g, await F.relu(g, y), y);
      },
      ref: (xs, dy) => {
        const y = conv2dRef(xs[0], xs[1], xs[2], geo);
        const dyy = Float64Array.from(y, (v, i) => dy![i] * (v > 0 ? 2 : 1));
        return { y: y.map((v) => (v > 0 ? 2 * v : v)), grads: convRef(xs, dyy, geo).grads };
      },
    };
  }
  if (opts.fanOut === 'inputs') {
    // The same x, w and b through two convs: each gets a second contribution.
    return {
      inputs, atolScale: 2 * atolScale,
      build: async (g, vars) => F.add(g, await conv(g, vars, s), await conv(g, vars, s)),
      ref: (xs, dy) => {
        const r = convRef(xs, Float64Array.from(dy!, (v) => 2 * v), geo);
        return { y: r.y.map((v) => 2 * v), grads: r.grads };
      },
    };
  }
  return { inputs, atolScale, build: (g, vars) => conv(g, vars, s), ref: (xs, dy) => convRef(xs, dy!, geo, xGrad) };
}

const forceConv = (version: string, s: ConvCase) => ({ family: conv2dFamily, version, shapes: [geomOf(s)] });
const versions = conv2dFamily.versions.map((v) => v.name);
const withRelu = SHAPES.flatMap((s) => [s, { ...s, name: `${s.name} + relu`, relu: true }]);

describe('conv2d through the Graph, each conv2d version forced', () => {
  it.each(versions.flatMap((v) => withRelu.map((s) => [`${v}, ${s.name}`, v, s] as const)))('%s', async (_n, version, s) => {
    await checkForced(await gpu(), [forceConv(version, s)], convCase(s));
  });

  it('refuses a plan made for the other ReLU setting', async () => {
    const ctx = await gpu();
    const g = new Graph(ctx);
    const s = SHAPES[1];
    const xs = [g.input(uploadTensor(ctx.device, new Float32Array(2 * 3 * 7 * 5), s.x)), g.input(uploadTensor(ctx.device, new Float32Array(27 * 3), s.w)), g.input(uploadTensor(ctx.device, new Float32Array(3), [3]))];
    const plan = await F.planConv2dLayer(g, s.x, s.w, { ...args(s), relu: true });
    await expect(F.conv2d(g, xs[0], xs[1], xs[2], args(s), plan)).rejects.toThrow('conv2d: the plan was made with the ReLU, the arguments ask for none');
    g.destroy();
  });

  it.each(versions)('%s: an input layer (x needs no gradient)', async (version) => {
    await checkForced(await gpu(), [forceConv(version, SHAPES[1])], convCase(SHAPES[1], { xGrad: false }));
  });

  // How many gradients go through a temporary and axpy: y's second one (relu's backward cannot
  // accumulate), and with every input used twice, x's where the version cannot accumulate dx.
  const AXPYS = { output: () => 1, inputs: (v: string) => (v === 'v1' || v === 'v2' ? 1 : 0) };
  const fanOut = versions.flatMap((v) => (['output', 'inputs'] as const).flatMap((f) => [SHAPES[1], SHAPES[2]].map((s) =>
    [`${v}, ${s.name}: ${f === 'output' ? 'relu(y) + y (the output used twice)' : 'conv(x, w, b) + conv(x, w, b) (every input used twice)'}`, v, f, s] as const)));
  it.each(fanOut)('%s', async (_n, version, f, s) => {
    const c = convCase(s, { fanOut: f });
    let graph: Graph | undefined;
    await checkForced(await gpu(), [forceConv(version, s)], { ...c, build: (g, vars) => c.build((graph = g), vars) });
    expect(graph!.backwardList.filter((d) => d.kernel.startsWith('elementwise.axpy.')).length).toBe(AXPYS[f](version));
  });

  // v1 and v2 take the bias gradient from the bias family (v3 folds it into its GEMM).
  const biasCases = ['v1', 'v2'].flatMap((v) => biasFamily.versions.map((b) => [`conv2d ${v}, bias ${b.name}`, v, b.name] as const));
  it.each(biasCases)('%s', async (_n, version, bias) => {
    const s = SHAPES[2], geo = geomOf(s);
    await checkForced(await gpu(), [forceConv(version, s), { family: biasFamily, version: bias, shapes: [{ N: geo.N, C: geo.K, S: geo.OH * geo.OW }] }], convCase(s));
  });
});

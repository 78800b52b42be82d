// Training steps of tiny CNNs on the GPU vs the float64 references: a whole step layer by layer
// (the check selftest runs on the presets), then graphs chained through the references end to end.
import { describe, expect, it } from 'vitest';
import { Sequential, type ModelSpec } from '../../src/nn/model.js';
import { checkTrainStep, executionGroups } from '../../src/selftest/step.js';
import { BN_STEP_SPEC } from '../../src/selftest/run.js';
import { PRESETS } from '../../src/nn/presets.js';
import { CaseIO } from '../../src/selftest/io.js';
import { formatFailures } from '../../src/selftest/compare.js';
import { Graph, Var } from '../../src/autograd/graph.js';
import type { ArenaSet } from '../../src/gpu/arena.js';
import { EvalStep } from '../../src/train/step.js';
import * as F from '../../src/autograd/ops.js';
import { ParamStore } from '../../src/nn/params.js';
import { readTensor, uploadTensor } from '../../src/gpu/buffers.js';
import { run } from '../../src/gpu/dispatch.js';
import { conv2dGeom } from '../../src/kernels/conv2d/geometry.js';
import { pool2dGeom } from '../../src/kernels/pool2d/family.js';
import { conv2dBwdInputRef, conv2dBwdWeightRef, conv2dRef } from '../../src/kernels/conv2d/ref.js';
import { biasAddRef, biasGradRef } from '../../src/kernels/bias/ref.js';
import { maxPoolBwdRef, maxPoolRef } from '../../src/kernels/pool2d/ref.js';
import { softmaxXentRef } from '../../src/kernels/softmax_xent/ref.js';
import { reluBwdRef, reluRef } from '../../src/kernels/activation/ref.js';
import { matmulRef } from '../../src/kernels/matmul/ref.js';
import { randomInts, uniform } from '../../src/util/rng.js';
import { gpu } from '../helpers/gpu.js';
import { expectClose, FWD, GRAD } from '../helpers/check.js';

const spec: ModelSpec = {
  name: 'tiny', input: [3, 7, 7], classes: 4,
  layers: [{ type: 'conv2d', in: 3, out: 3, kernel: 3, padding: 1 }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
    { type: 'flatten' }, { type: 'linear', in: 27, out: 5 }, { type: 'relu' }, { type: 'linear', in: 5, out: 4 }],
};

// With average pooling, a strided convolution and dropout (mask seeds as the step builds them).
const other: ModelSpec = {
  name: 'tiny-avg-drop', input: [2, 9, 8], classes: 3,
  layers: [{ type: 'conv2d', in: 2, out: 4, kernel: 3, stride: 2, padding: 1 }, { type: 'relu' }, { type: 'avgpool2d', kernel: 2, stride: 1 },
    { type: 'flatten' }, { type: 'dropout', rate: 0.3 }, { type: 'linear', in: 48, out: 6 }, { type: 'relu' }, { type: 'dropout', rate: 0.5 }, { type: 'linear', in: 6, out: 3 }],
};

describe('training step vs float64 references', () => {
  // The check selftest runs on each preset (src/selftest/step.ts): every layer's output, input
  // gradient and parameter gradients, the loss, the correct count and the SGD update.
  it.each([[spec.name, spec], [other.name, other]] as const)('%s: layer by layer, the loss, every gradient and the SGD update', async (_n, s) => {
    const io = new CaseIO(await gpu());
    try {
      expect(formatFailures(await checkTrainStep(io, s, { batch: 3 }))).toBe('');
    } finally {
      io.destroy();
    }
  });

  it('the batch-norm step (running statistics, a ReLU fused into a max pool, global average pooling, label smoothing) at batch 3', async () => {
    const io = new CaseIO(await gpu());
    try {
      expect(formatFailures(await checkTrainStep(io, BN_STEP_SPEC, { batch: 3, smoothing: 0.1, seed: 5 }))).toBe('');
    } finally {
      io.destroy();
    }
  });

  it('groups layers as the GPU ran them: a relu that ran nothing joins the layer applying it', () => {
    const L = PRESETS.lenet.layers, ran = L.map((l, i) => !(l.type === 'relu' && [1, 4, 8, 10].includes(i)));
    const spans = (gs: ReturnType<typeof executionGroups>) => gs.map((g) => `${g.first}-${g.last}${g.before ? 'b' : ''}${g.after ? 'a' : ''}`);
    expect(spans(executionGroups(L, ran))).toEqual(['0-1a', '2-2', '3-4a', '5-5', '6-6', '7-8a', '9-10a', '11-11']);
    // batchnorm2d applies no ReLU, so the max pool after its relu does.
    const B = BN_STEP_SPEC.layers, bran = B.map((_l, i) => i !== 2);
    expect(spans(executionGroups(B, bran)).slice(0, 3)).toEqual(['0-0', '1-1', '2-3b']);
    expect(spans(executionGroups(L, L.map(() => true)))).toHaveLength(L.length);
    expect(() => executionGroups(B, B.map((_l, i) => i !== 6))).toThrow('layer 6 (relu) ran nothing, and no layer beside it applies its ReLU');
  });

  it('the store keeps the decayed parameters (conv and linear weights) first, biases after decayEnd', () => {
    const store = new Sequential(spec).store;
    expect(store.params.map((p) => `${p.name} ${p.decay}`)).toEqual(['0.conv2d.weight true', '0.conv2d.bias false', '4.linear.weight true',
      '4.linear.bias false', '6.linear.weight true', '6.linear.bias false']);
    // 81, 135 and 20 weights, each from a 64-float boundary; then the biases.
    expect(store.params.map((p) => p.offset)).toEqual([0, 384, 128, 448, 320, 512]);
    expect([store.decayEnd, store.size]).toEqual([384, 576]);
    expect(() => store.add('late', [2], { kind: 'zeros' })).toThrow('ParamStore: cannot add late once the layout is fixed (an offset or the size was read)');
  });

  it('accumulates gradients where one tensor feeds two branches', async () => {
    const ctx = await gpu();
    const store = new ParamStore();
    const pw = store.add('w', [2, 12], { kind: 'he', fanIn: 12 }), pb = store.add('b', [2], { kind: 'zeros' });
    const init = store.initialValues(3);
    store.materialize(ctx, init);
    const xv = uniform(3 * 12, 8), lv = randomInts(3, 9, 2);
    const g = new Graph(ctx);
    const x = g.input(uploadTensor(ctx.device, xv, [3, 1, 3, 4]), true);
    const h = await F.add(g, await F.relu(g, x), await F.relu(g, x)); // x fans out twice (temp + axpy path)
    const wv = (p: typeof pw) => new Var(store.weight(p), true, null, null, store.grad(p));
    const logits = await F.linear(g, F.reshape(h, [3, 12]), wv(pw), wv(pb));
    await F.softmaxCrossEntropy(g, logits, uploadTensor(ctx.device, lv, [3]));
    await g.backward(logits);
    const enc = ctx.device.createCommandEncoder();
    enc.clearBuffer(store.grads!);
    ctx.queue.submit([enc.finish()]);
    await run(ctx, [...g.forward, ...g.backwardList]);
    const W = init.subarray(0, 24);
    const hv = Float64Array.from(xv, (v) => 2 * Math.max(v, 0));
    const z = matmulRef(hv, W, 3, 2, 12, false, true);
    const dz = softmaxXentRef(z, lv, 3, 2).dz;
    const dh = matmulRef(dz, W, 3, 12, 2);
    expectClose('dx', await readTensor(ctx.device, g.gradOf(x)), Array.from(dh, (d, i) => 2 * (xv[i] > 0 ? d : 0)), GRAD.atol, GRAD.rtol);
    g.destroy();
  });
});

// Two convolutions: their backward scratch (and, in an evaluation graph, their forward scratch)
// shares the graph's arena, one buffer per lane; the gradients still match float64.
const two: ModelSpec = {
  name: 'two-conv', input: [2, 6, 6], classes: 4,
  layers: [{ type: 'conv2d', in: 2, out: 4, kernel: 3, padding: 1 }, { type: 'relu' }, { type: 'conv2d', in: 4, out: 3, kernel: 3, padding: 1 }, { type: 'relu' },
    { type: 'maxpool2d', kernel: 2 }, { type: 'flatten' }, { type: 'linear', in: 27, out: 4 }],
};

/** Each tensor name is held by both layers' sets, in the same buffer. */
function expectShared(sets: Array<ArenaSet<string>>, names: string[]): void {
  for (const name of names) {
    const views = sets.map((s) => s.tensors[name]).filter((t) => t !== undefined);
    expect(views.length, `${name} views`).toBe(2);
    expect(views[1].buffer, `${name} buffer`).toBe(views[0].buffer);
  }
}

describe.each([['v3', ['dyp', 'dcol', 'part'], 2], ['v2', ['wt', 'part'], 1]] as const)('two conv layers on conv2d %s', (version, names, lanes) => {
  it('share one backward scratch buffer per lane; the input, weight and bias gradients match float64', async () => {
    const ctx = await gpu();
    ctx.select.force('conv2d', version);
    try {
      const B = 3;
      const model = new Sequential(two);
      const init = model.store.initialValues(7);
      model.store.materialize(ctx, init);
      const xv = uniform(B * 2 * 6 * 6, 11), lv = randomInts(B, 12, 4);
      const g = new Graph(ctx);
      const x = g.input(uploadTensor(ctx.device, xv, [B, 2, 6, 6]), true);
      const logits = await model.forward(g, x, { training: true, dropouts: [], seed: 0 });
      await F.softmaxCrossEntropy(g, logits, uploadTensor(ctx.device, lv, [B]));
      await g.backward(logits);
      // Both layers' passing scratch is in the arena's backward lanes, one buffer each; the
      // im2col matrices (read by the weight gradient) are not in the arena.
      const sets = g.scratch.sets.filter((s) => s.region === 'backward');
      expect(sets.length).toBe(4); // each layer's own and its fused ReLU's
      expectShared(sets, [...names]);
      // The fused ReLU adds a lane each way (src/kernels/conv2d/plan.ts): the conv's output before
      // the ReLU in the forward, the masked dy in the backward.
      expect(g.scratch.buffers('backward').length).toBe(lanes + 1);
      expect(g.scratch.buffers('forward').length).toBe(1);
      const enc = ctx.device.createCommandEncoder();
      enc.clearBuffer(model.store.grads!);
      ctx.queue.submit([enc.finish()]);
      await run(ctx, [...g.forward, ...g.backwardList]);
      const grads = await readTensor(ctx.device, model.store.flat(model.store.grads));

      const P = Object.fromEntries(model.store.params.map((p) => [p.name, p]));
      const w = (name: string) => init.subarray(P[name].offset, P[name].offset + P[name].shape.reduce((a, b) => a * b));
      const [W1, b1, W2, b2, W3, b3] = ['0.conv2d.weight', '0.conv2d.bias', '2.conv2d.weight', '2.conv2d.bias', '6.linear.weight', '6.linear.bias'].map(w);
      const g1 = conv2dGeom([B, 2, 6, 6], [4, 2, 3, 3], { padding: 1 }), g2 = conv2dGeom([B, 4, 6, 6], [3, 4, 3, 3], { padding: 1 });
      const y1 = conv2dRef(xv, W1, b1, g1), r1 = reluRef(y1);
      const y2 = conv2dRef(r1, W2, b2, g2), r2 = reluRef(y2);
      const gp = pool2dGeom([B, 3, 6, 6], { kernel: 2 });
      const f = maxPoolRef(r2, gp).y;
      const z = biasAddRef(matmulRef(f, W3, B, 4, 27, false, true), b3, B, 4, 1);
      const dz = softmaxXentRef(z, lv, B, 4).dz;
      const df = matmulRef(dz, W3, B, 27, 4), dy2 = reluBwdRef(y2, maxPoolBwdRef(r2, df, gp));
      const dy1 = reluBwdRef(y1, conv2dBwdInputRef(dy2, W2, g2));
      const want: Record<string, ArrayLike<number>> = {
        '0.conv2d.weight': conv2dBwdWeightRef(xv, dy1, g1), '0.conv2d.bias': biasGradRef(dy1, B, 4, 36),
        '2.conv2d.weight': conv2dBwdWeightRef(r1, dy2, g2), '2.conv2d.bias': biasGradRef(dy2, B, 3, 36),
        '6.linear.weight': matmulRef(dz, f, 4, 27, B, true), '6.linear.bias': biasGradRef(dz, B, 4, 1),
      };
      for (const p of model.store.params) {
        const n = p.shape.reduce((a, b) => a * b);
        expectClose(`grad ${p.name}`, grads.subarray(p.offset, p.offset + n), want[p.name], GRAD.atol, GRAD.rtol);
      }
      expectClose('grad input', await readTensor(ctx.device, g.gradOf(x)), conv2dBwdInputRef(dy1, W1, g1), GRAD.atol, GRAD.rtol);
      g.destroy();
      model.store.destroy();
    } finally {
      ctx.select.force('conv2d', null);
    }
  });
});

describe('two conv layers in an evaluation graph', () => {
  it('v3: both im2col matrices share one forward scratch buffer; the probabilities match float64', async () => {
    const ctx = await gpu();
    ctx.select.force('conv2d', 'v3');
    try {
      const B = 3;
      const model = new Sequential(two);
      const init = model.store.initialValues(8);
      model.store.materialize(ctx, init);
      const xv = uniform(B * 2 * 6 * 6, 13);
      const step = await EvalStep.build(ctx, model, uploadTensor(ctx.device, xv, [B, 2, 6, 6]), null);
      const sc = step.graph.scratch;
      expectShared(sc.sets.filter((s) => s.region === 'forward'), ['col', 'wp']);
      // Plus the fused ReLU's lane: the conv's output before the ReLU.
      expect(sc.buffers('forward').length).toBe(2);
      expect(sc.buffers('backward').length).toBe(0);
      step.run();
      const probs = await readTensor(ctx.device, step.probs);

      const P = Object.fromEntries(model.store.params.map((p) => [p.name, p]));
      const w = (name: string) => init.subarray(P[name].offset, P[name].offset + P[name].shape.reduce((a, b) => a * b));
      const [W1, b1, W2, b2, W3, b3] = ['0.conv2d.weight', '0.conv2d.bias', '2.conv2d.weight', '2.conv2d.bias', '6.linear.weight', '6.linear.bias'].map(w);
      const r1 = reluRef(conv2dRef(xv, W1, b1, conv2dGeom([B, 2, 6, 6], [4, 2, 3, 3], { padding: 1 })));
      const r2 = reluRef(conv2dRef(r1, W2, b2, conv2dGeom([B, 4, 6, 6], [3, 4, 3, 3], { padding: 1 })));
      const f = maxPoolRef(r2, pool2dGeom([B, 3, 6, 6], { kernel: 2 })).y;
      const z = biasAddRef(matmulRef(f, W3, B, 4, 27, false, true), b3, B, 4, 1);
      expectClose('probabilities', probs, softmaxXentRef(z, [0, 0, 0], B, 4).probs, FWD.atol, FWD.rtol);
      step.destroy();
      model.store.destroy();
    } finally {
      ctx.select.force('conv2d', null);
    }
  });
});

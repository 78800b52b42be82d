// One whole training step (TrainStep: forward, fused loss and gradient, backward, one SGD update)
// of a model on the GPU, checked layer by layer against the float64 references. The optimizer
// zeroes each gradient it uses, so the step is built without it and the trainer's optimizer
// dispatch (weight decay on weights, not biases) runs after the gradients are read. Each layer's
// reference takes the GPU's own input to that layer (and, backward, the GPU's gradient of its
// output), so a near-tie that f32 and f64 break differently (a max-pool winner, a ReLU at zero)
// cannot flip a comparison, and a wrong buffer between two layers still fails.
import type { Var } from '../autograd/graph.js';
import { readTensor, type Tensor } from '../gpu/buffers.js';
import { Sequential, type ModelSpec } from '../nn/model.js';
import type { LayerSpec } from '../nn/layers.js';
import { createOptimizer } from '../optim/optimizer.js';
import { TrainStep } from '../train/step.js';
import { randomInts } from '../util/rng.js';
import { conv2dGeom } from '../kernels/conv2d/geometry.js';
import { conv2dBwdBiasRef, conv2dBwdInputRef, conv2dBwdWeightRef, conv2dRef } from '../kernels/conv2d/ref.js';
import { matmulRef } from '../kernels/matmul/ref.js';
import { biasAddRef, biasGradRef } from '../kernels/bias/ref.js';
import { reluBwdRef, reluRef } from '../kernels/activation/ref.js';
import { pool2dGeom } from '../kernels/pool2d/family.js';
import { avgPoolBwdRef, avgPoolRef, maxPoolBwdRef, maxPoolRef } from '../kernels/pool2d/ref.js';
import { dropoutMaskRef } from '../kernels/dropout/ref.js';
import { softmaxXentRef } from '../kernels/softmax_xent/ref.js';
import { argmaxRef } from '../kernels/metrics/ref.js';
import { sgdRef } from '../kernels/optim/ref.js';
import { close, equal, FWD, GRAD, type Failure } from './compare.js';
import { failures, type CaseIO } from './io.js';

type Arr = ArrayLike<number>;

/** What one layer's reference gives: its output, its input gradient, its parameters' gradients. */
interface LayerRef { y?: Arr; dx?: Arr; dw?: Arr; db?: Arr; terms: { fwd: number; dx: number; dw: number; db: number } }

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const mul = (a: Arr, m: Arr) => Float64Array.from(a, (v, i) => v * m[i]);

/**
 * Layer `spec` on input a (shape aShape, batch first) with output gradient dy; w and b its
 * parameters; `seed` a dropout's mask seed. `terms` are the lengths of the sums behind each value:
 * f32 rounding grows with them, so the absolute tolerance does too (as in the matmul checks).
 */
function layerRef(spec: LayerSpec, aShape: readonly number[], a: Arr, dy: Arr | null, w: Arr, b: Arr, seed: number): LayerRef {
  const one = { fwd: 1, dx: 1, dw: 1, db: 1 };
  switch (spec.type) {
    case 'conv2d': {
      const g = conv2dGeom(aShape, [spec.out, spec.in, spec.kernel, spec.kernel], { stride: spec.stride ?? 1, padding: spec.padding ?? 0 });
      const terms = { fwd: g.C * g.KH * g.KW, dx: g.K * g.KH * g.KW, dw: g.N * g.OH * g.OW, db: g.N * g.OH * g.OW };
      return { y: conv2dRef(a, w, b, g), terms, ...(dy && { dx: conv2dBwdInputRef(dy, w, g), dw: conv2dBwdWeightRef(a, dy, g), db: conv2dBwdBiasRef(dy, g) }) };
    }
    case 'linear': {
      const B = aShape[0], I = spec.in, O = spec.out;
      const terms = { fwd: I, dx: O, dw: B, db: B };
      return { y: biasAddRef(matmulRef(a, w, B, O, I, false, true), b, B, O, 1), terms, ...(dy && { dx: matmulRef(dy, w, B, I, O), dw: matmulRef(dy, a, O, I, B, true), db: biasGradRef(dy, B, O, 1) }) };
    }
    case 'relu':
      return { y: reluRef(a), terms: one, ...(dy && { dx: reluBwdRef(a, dy) }) };
    case 'maxpool2d':
    case 'avgpool2d': {
      const g = pool2dGeom(aShape, { kernel: spec.kernel, stride: spec.stride ?? spec.kernel, padding: spec.padding ?? 0 });
      const terms = { ...one, fwd: g.KH * g.KW, dx: g.KH * g.KW };
      if (spec.type === 'maxpool2d') return { y: maxPoolRef(a, g).y, terms, ...(dy && { dx: maxPoolBwdRef(a, dy, g) }) };
      return { y: avgPoolRef(a, g), terms, ...(dy && { dx: avgPoolBwdRef(dy, g) }) };
    }
    case 'dropout': {
      const m = dropoutMaskRef(a.length, seed, spec.rate);
      return { y: mul(a, m), terms: one, ...(dy && { dx: mul(dy, m) }) };
    }
    case 'flatten': // a view of its input: nothing of its own to check
      return { terms: one };
    default:
      throw new Error(`no float64 reference for layer type '${(spec as { type: string }).type}'`);
  }
}

/** A Var's gradient tensor if the backward wrote one (a view's is its base's). */
function gradOf(v: Var): Tensor | null {
  if (v.paramGrad) return v.paramGrad;
  if (v.grad) return v.grad;
  const base = v.viewOf && gradOf(v.viewOf);
  return base ? { ...base, shape: v.shape } : null;
}

export interface StepCheckOptions { batch: number; seed?: number; lr?: number; weightDecay?: number }

/** Builds, runs and checks one SGD training step of `spec` on seeded inputs in [-1, 1]. */
export async function checkTrainStep(io: CaseIO, spec: ModelSpec, opts: StepCheckOptions): Promise<Failure[]> {
  const { ctx } = io, B = opts.batch, seed = opts.seed ?? 1, lr = opts.lr ?? 0.1, wd = opts.weightDecay ?? 0.05;
  const model = new Sequential(spec);
  const init = model.store.initialValues(seed);
  // Non-zero biases, so decaying them (which must not happen) would show.
  for (const p of model.store.params.filter((q) => !q.decay)) init.set(io.rand([size(p.shape)], seed + 3).v, p.offset);
  model.store.materialize(ctx, init);
  io.own(model.store);
  const x = io.rand([B, ...spec.input], seed + 1);
  const lv = randomInts(B, seed + 2, spec.classes);
  // Each layer's output, recorded as the step is built (the Vars the next layer consumes).
  const outs: Var[] = [];
  let input: Var | null = null;
  for (const l of model.layers) {
    const forward = l.forward.bind(l);
    l.forward = async (g, v, s) => {
      input ??= v;
      const y = await forward(g, v, s);
      outs.push(y);
      return y;
    };
  }
  // Not prepared: dropout i keeps the seed the build gave it, `seed + i` (src/nn/layers.ts).
  const step = io.own(await TrainStep.build(ctx, model, x.t, io.upload(lv, [B]), null, seed));
  step.run();
  const read = (t: Tensor | null) => (t ? readTensor(ctx.device, t) : Promise.resolve(null));
  const acts = await Promise.all(outs.map((v) => read(v.t)));
  const grads = await Promise.all(outs.map((v) => read(gradOf(v))));
  const inGrad = await read(gradOf(input!));
  const flatGrad = await readTensor(ctx.device, model.store.flat(model.store.grads));
  const { lossSum, correct } = await step.readMetrics();
  const opt = await createOptimizer(ctx, model.store, { type: 'sgd', lr, momentum: 0, weightDecay: wd });
  io.own({ destroy: () => opt.dispatch.uniform.destroy() });
  opt.prepare(1, lr);
  await io.exec(opt.dispatch);
  const weights = await readTensor(ctx.device, model.store.flat(model.store.weights));
  const cleared = await readTensor(ctx.device, model.store.flat(model.store.grads));

  const out: Array<Failure | null> = [];
  const P = new Map(model.store.params.map((p) => [p.name, p]));
  const slice = (v: Float32Array, name: string) => {
    const p = P.get(name);
    return p ? v.subarray(p.offset, p.offset + size(p.shape)) : new Float32Array(0);
  };
  let drops = 0;
  spec.layers.forEach((l, i) => {
    const what = `layer ${i} (${l.type})`;
    const a = i ? acts[i - 1]! : x.v, aShape = i ? outs[i - 1].shape : x.t.shape;
    const dy = grads[i], dxGpu = i ? grads[i - 1] : inGrad;
    const name = `${i}.${l.type}`;
    let r: LayerRef;
    try {
      r = layerRef(l, aShape, a, dy, slice(init, `${name}.weight`), slice(init, `${name}.bias`), seed + (l.type === 'dropout' && l.rate > 0 ? drops++ : 0));
    } catch (e) {
      out.push({ what, message: (e as Error).message });
      return;
    }
    const tol = (base: { atol: number; rtol: number }, terms: number) => [base.atol * Math.sqrt(terms), base.rtol] as const;
    if (r.y) out.push(close(`${what} forward`, acts[i]!, r.y, ...tol(FWD, r.terms.fwd)));
    if (r.dx && dxGpu) out.push(close(`${what} input gradient`, dxGpu, r.dx, ...tol(GRAD, r.terms.dx)));
    if (r.dw) out.push(close(`${what} weight gradient`, slice(flatGrad, `${name}.weight`), r.dw, ...tol(GRAD, r.terms.dw)));
    if (r.db) out.push(close(`${what} bias gradient`, slice(flatGrad, `${name}.bias`), r.db, ...tol(GRAD, r.terms.db)));
  });
  // The loss and its gradient from the GPU's logits; the correct count from their argmax.
  const logits = acts[acts.length - 1]!, K = spec.classes;
  const sx = softmaxXentRef(logits, lv, B, K);
  out.push(close('mean loss', [lossSum], [sx.loss.reduce((s, v) => s + v, 0) / B], FWD.atol, FWD.rtol));
  out.push(close('logits gradient', grads[grads.length - 1]!, sx.dz, GRAD.atol, GRAD.rtol));
  out.push(equal('correct count', [correct], [argmaxRef(logits, B, K).filter((k, b) => k === lv[b]).length]));
  // The update from the GPU's own gradients (SGD: w - lr*(g + wd*w), decay on weights only), which
  // leaves every gradient zero for the next step's backward.
  for (const p of model.store.params) {
    const want = sgdRef(slice(init, p.name), slice(flatGrad, p.name), new Float64Array(size(p.shape)), { lr, weightDecay: p.decay ? wd : 0 }).w;
    out.push(close(`updated ${p.name}`, slice(weights, p.name), want, FWD.atol, FWD.rtol));
    out.push(equal(`${p.name} gradient after the update`, slice(cleared, p.name), new Float32Array(size(p.shape))));
  }
  return failures(...out);
}

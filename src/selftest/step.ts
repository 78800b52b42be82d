// One whole training step (TrainStep: forward, fused loss and gradient, backward, one SGD update)
// of a model on the GPU, checked against the float64 references group by group, a group being
// what the GPU ran as one layer: a layer with the ReLUs it applies itself (the relu layers it
// absorbed ran nothing). Each group's reference takes the GPU's own input to it (and, backward,
// the GPU's gradient of its output), so a near-tie that f32 and f64 break differently (a max-pool
// winner, a ReLU at zero) cannot flip a comparison, and a wrong buffer between two groups still fails.
// The optimizer zeroes each gradient it uses, so the step is built without it and the trainer's
// optimizer dispatch (weight decay on weights, not biases) runs after the gradients are read.
import type { Var } from '../autograd/graph.js';
import { readTensor, type Tensor } from '../gpu/buffers.js';
import { Sequential, type ModelSpec } from '../nn/model.js';
import { FUSES_RELU, FUSES_RELU_BEFORE, type LayerSpec } from '../nn/layers.js';
import { createOptimizer } from '../optim/optimizer.js';
import { TrainStep } from '../train/step.js';
import { randomInts } from '../util/rng.js';
import { reluBwdRef } from '../kernels/activation/ref.js';
import { softmaxXentRef } from '../kernels/softmax_xent/ref.js';
import { argmaxRef } from '../kernels/metrics/ref.js';
import { sgdRef } from '../kernels/optim/ref.js';
import { close, equal, FWD, GRAD, type Failure } from './compare.js';
import { failures, type CaseIO } from './io.js';
import { fusedRef, type LayerRef } from './layer_ref.js';

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Layers first..last ran as one: `core` with a ReLU fused before and/or after it. */
export interface Group { first: number; core: number; last: number; before: boolean; after: boolean }

/**
 * The execution groups of a built step. `ran[i]` is false for a layer that ran nothing (its
 * output is its input): a relu layer absorbed by a neighbour, which is the layer before when that
 * type applies the ReLU after it (FUSES_RELU), else the one after when it applies it before
 * (FUSES_RELU_BEFORE). Anything else that ran nothing is its own group (a view, a rate-0 dropout).
 */
export function executionGroups(layers: readonly LayerSpec[], ran: readonly boolean[]): Group[] {
  const absorbed = (j: number) => layers[j]?.type === 'relu' && ran[j] === false;
  const intoBefore = (j: number) => absorbed(j) && FUSES_RELU.has(layers[j - 1]?.type);
  const intoAfter = (j: number) => absorbed(j) && !intoBefore(j) && FUSES_RELU_BEFORE.has(layers[j + 1]?.type);
  const groups: Group[] = [];
  layers.forEach((l, i) => {
    if (intoBefore(i) || intoAfter(i)) return;
    if (absorbed(i)) throw new Error(`layer ${i} (relu) ran nothing, and no layer beside it applies its ReLU`);
    const before = intoAfter(i - 1), after = intoBefore(i + 1);
    groups.push({ first: before ? i - 1 : i, core: i, last: after ? i + 1 : i, before, after });
  });
  return groups;
}

const groupName = (layers: readonly LayerSpec[], g: Group) =>
  g.first === g.last ? `layer ${g.core} (${layers[g.core].type})` : `layers ${g.first}-${g.last} (${layers.slice(g.first, g.last + 1).map((l) => l.type).join('+')})`;

/** A Var's gradient tensor if the backward wrote one (a view's is its base's). */
function gradOf(v: Var): Tensor | null {
  if (v.paramGrad) return v.paramGrad;
  if (v.grad) return v.grad;
  const base = v.viewOf && gradOf(v.viewOf);
  return base ? { ...base, shape: v.shape } : null;
}

/** smoothing: the loss's label smoothing (TrainStep's labelSmoothing). */
export interface StepCheckOptions { batch: number; seed?: number; lr?: number; weightDecay?: number; smoothing?: number }

/** Builds, runs and checks one SGD training step of `spec` on seeded inputs in [-1, 1]. */
export async function checkTrainStep(io: CaseIO, spec: ModelSpec, opts: StepCheckOptions): Promise<Failure[]> {
  const { ctx } = io, B = opts.batch, seed = opts.seed ?? 1, lr = opts.lr ?? 0.1, wd = opts.weightDecay ?? 0.05, smoothing = opts.smoothing ?? 0;
  const model = new Sequential(spec), store = model.store;
  const init = store.initialValues(seed);
  // Non-zero biases, so decaying them (which must not happen) would show.
  for (const p of store.params.filter((q) => !q.decay)) init.set(io.rand([size(p.shape)], seed + 3).v, p.offset);
  store.materialize(ctx, init);
  io.own(store);
  const x = io.rand([B, ...spec.input], seed + 1);
  const lv = randomInts(B, seed + 2, spec.classes);
  // Each layer's input and output, recorded as the step is built (the Vars the next layer consumes).
  const ins: Var[] = [], outs: Var[] = [];
  for (const l of model.layers) {
    const forward = l.forward.bind(l);
    l.forward = async (g, v, s) => {
      ins.push(v);
      const y = await forward(g, v, s);
      outs.push(y);
      return y;
    };
  }
  // Not prepared: dropout i keeps the seed the build gave it, `seed + i` (src/nn/layers.ts).
  const step = io.own(await TrainStep.build(ctx, model, x.t, io.upload(lv, [B]), null, seed, [], { labelSmoothing: smoothing }));
  step.run();
  const read = (t: Tensor | null) => (t ? readTensor(ctx.device, t) : Promise.resolve(null));
  const acts = await Promise.all(outs.map((v) => read(v.t)));
  const grads = await Promise.all(outs.map((v) => read(gradOf(v))));
  const inGrad = await read(gradOf(ins[0]));
  const flatGrad = await readTensor(ctx.device, store.flat(store.grads));
  const after = await store.readState(ctx.device); // parameters (not yet updated), then buffers
  const { lossSum, correct } = await step.readMetrics();
  const opt = await createOptimizer(ctx, store, { type: 'sgd', lr, momentum: 0, weightDecay: wd });
  io.own({ destroy: () => opt.dispatch.uniform.destroy() });
  opt.prepare(1, lr);
  await io.exec(opt.dispatch);
  const weights = await readTensor(ctx.device, store.flat(store.weights));
  const cleared = await readTensor(ctx.device, store.flat(store.grads));

  const out: Array<Failure | null> = [];
  const P = new Map(store.params.map((p) => [p.name, p.offset]));
  for (const b of store.buffers) P.set(b.name, store.size + b.offset);
  const shapes = new Map([...store.params, ...store.buffers].map((p) => [p.name, p.shape]));
  const slice = (v: Float32Array, name: string) => {
    const at = P.get(name);
    return at === undefined ? new Float32Array(0) : v.subarray(at, at + size(shapes.get(name)!));
  };
  let groups: Group[];
  try {
    groups = executionGroups(spec.layers, outs.map((v, i) => v !== ins[i]));
  } catch (e) {
    return [{ what: 'execution groups', message: (e as Error).message }];
  }
  let drops = 0;
  const checked = new Set<string>();
  for (const g of groups) {
    const l = spec.layers[g.core], what = groupName(spec.layers, g), name = `${g.core}.${l.type}`;
    const a = g.first ? acts[g.first - 1]! : x.v, aShape = ins[g.first].shape;
    const y = acts[g.last]!, dy = grads[g.last], dxGpu = g.first ? grads[g.first - 1] : inGrad;
    let r: LayerRef;
    try {
      r = fusedRef(l, aShape, a, dy, y, (suffix) => slice(init, `${name}.${suffix}`), seed + (l.type === 'dropout' && l.rate > 0 ? drops++ : 0), g);
    } catch (e) {
      out.push({ what, message: (e as Error).message });
      continue;
    }
    const tol = (base: { atol: number; rtol: number }, terms: number) => [base.atol * Math.sqrt(terms), base.rtol] as const;
    if (r.y) out.push(close(`${what} forward`, y, r.y, ...tol(FWD, r.terms.fwd)));
    // An input that a fused ReLU made gets its gradient masked where the GPU's consumer stores it
    // (Graph.gradMasked): the gradient of that ReLU's input, which the group before checks as such.
    const masked = step.graph.gradMasked(ins[g.first]);
    if (r.dx && dxGpu) out.push(close(`${what} input gradient${masked ? ' (ReLU-masked)' : ''}`, dxGpu, masked ? reluBwdRef(a, r.dx) : r.dx, ...tol(GRAD, r.terms.dx)));
    if (r.dw) out.push(close(`${what} weight gradient`, slice(flatGrad, `${name}.weight`), r.dw, ...tol(GRAD, r.terms.dw)));
    if (r.db) out.push(close(`${what} bias gradient`, slice(flatGrad, `${name}.bias`), r.db, ...tol(GRAD, r.terms.db)));
    for (const [k, want] of Object.entries(r.buffers ?? {})) {
      checked.add(`${name}.${k}`);
      out.push(close(`${what} ${k} after the step`, slice(after, `${name}.${k}`), want, ...tol(FWD, r.terms.fwd)));
    }
  }
  // The loss and its gradient from the GPU's logits; the correct count from their argmax.
  const logits = acts[acts.length - 1]!, K = spec.classes;
  const sx = softmaxXentRef(logits, lv, B, K, 1 / B, smoothing);
  out.push(close('mean loss', [lossSum], [sx.loss.reduce((s, v) => s + v, 0) / B], FWD.atol, FWD.rtol));
  out.push(close('logits gradient', grads[grads.length - 1]!, sx.dz, GRAD.atol, GRAD.rtol));
  out.push(equal('correct count', [correct], [argmaxRef(logits, B, K).filter((k, b) => k === lv[b]).length]));
  // The update from the GPU's own gradients (SGD: w - lr*(g + wd*w), decay on weights only), which
  // leaves every gradient zero for the next step's backward; every buffer checked above.
  for (const p of store.params) {
    const want = sgdRef(slice(init, p.name), slice(flatGrad, p.name), new Float64Array(size(p.shape)), { lr, weightDecay: p.decay ? wd : 0 }).w;
    out.push(close(`updated ${p.name}`, slice(weights, p.name), want, FWD.atol, FWD.rtol));
    out.push(equal(`${p.name} gradient after the update`, slice(cleared, p.name), new Float32Array(size(p.shape))));
  }
  for (const b of store.buffers) if (!checked.has(b.name)) out.push({ what: b.name, message: 'a buffer no layer reference checks' });
  return failures(...out);
}

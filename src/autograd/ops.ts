// Differentiable ops: each forward records its dispatch and, beside it, its backward.
import type { Tensor } from '../gpu/buffers.js';
import { conv2dGeom, yShape, type Conv2dArgs } from '../kernels/conv2d/geometry.js';
import { planConv2d, type Conv2dPlan } from '../kernels/conv2d/family.js';
import type { Grads } from '../kernels/conv2d/plan.js';
import { avgPool2dBackward, avgPool2dForward, maxPool2dBackward, maxPool2dForward, pool2dGeom, type Pool2dArgs } from '../kernels/pool2d/family.js';
import { matmul } from '../kernels/matmul/family.js';
import { biasAdd, biasGrad } from '../kernels/bias/family.js';
import { reluBackward, reluForward } from '../kernels/activation/family.js';
import { add as addOp, axpy, scale } from '../kernels/elementwise/family.js';
import { dropoutBackward, dropoutForward } from '../kernels/dropout/family.js';
import { softmaxXentForwardBackward, softmaxXentStep, type XentTotals } from '../kernels/softmax_xent/family.js';
import { batchNormBackward, batchNormEval, batchNormTrain, type BatchNormOpts } from '../kernels/batchnorm/family.js';
import type { KernelDispatch } from '../kernels/contract.js';
import { numel } from '../gpu/buffers.js';
import { Var, type Graph } from './graph.js';

const needs = (...vs: Var[]) => vs.some((v) => v.requiresGrad);

/**
 * A convolution layer's plan in g for the gradients `grads` (default all): the version the
 * context's policy chooses for the shape, with its scratch declared in g's arena. Made ahead of
 * the forward (Sequential makes every layer's first), the arena knows every layer's need before
 * any scratch is used.
 */
export function planConv2dLayer(g: Graph, xShape: readonly number[], wShape: readonly number[], args: Conv2dArgs, grads?: Partial<Grads>): Promise<Conv2dPlan> {
  const shape = { ...conv2dGeom(xShape, wShape, args), forwardOnly: !g.training };
  return planConv2d(g.ctx, shape, (s) => g.alloc(s), undefined, { arena: g.scratch, grads });
}

/**
 * The version the context's policy chooses for this layer's shape (or `planned`, from
 * planConv2dLayer); every version takes one path. With args.relu the result is
 * max(conv + b, 0), the ReLU fused into the layer (its backward takes this output's gradient).
 */
export async function conv2d(g: Graph, x: Var, w: Var, b: Var, args: Conv2dArgs, planned?: Conv2dPlan): Promise<Var> {
  if (planned && Boolean(planned.geom.relu) !== Boolean(args.relu)) throw new Error(`conv2d: the plan was made ${planned.geom.relu ? 'with' : 'without'} the ReLU, the arguments ask ${args.relu ? 'for' : 'for none'}`);
  const plan = planned ?? await planConv2dLayer(g, x.shape, w.shape, args, { dx: x.requiresGrad, dw: w.requiresGrad, db: b.requiresGrad });
  const y = g.alloc(yShape(plan.geom));
  g.forward.push(...(await plan.forward(x.t, w.t, b.t, y)));
  const out: Var = new Var(y, needs(x, w, b), {
    name: plan.geom.relu ? 'conv2d+relu' : 'conv2d', inputs: [x, w, b],
    backward: async (gr) => {
      const can = plan.accumulates;
      gr.backwardList.push(...(await plan.packGrad(gr.gradOf(out), { dx: x.requiresGrad, dw: w.requiresGrad, db: b.requiresGrad })));
      await gr.contribute(w, can.dw, (dst, acc) => plan.backwardWeight(dst, { accumulate: acc }));
      await gr.contribute(b, can.db, (dst, acc) => plan.backwardBias(dst, { accumulate: acc }));
      await gr.contribute(x, can.dx, (dst, acc) => plan.backwardInput(dst, { accumulate: acc }));
    },
  });
  return out;
}

/** y = x W^T + b with W [out, in] (PyTorch's layout). */
export async function linear(g: Graph, x: Var, w: Var, b: Var): Promise<Var> {
  if (x.shape.length !== 2) throw new Error(`linear: input must be [N, features], got [${x.shape.join(', ')}]`);
  const y = g.alloc([x.shape[0], w.shape[0]]);
  g.forward.push(await matmul(g.ctx, x.t, w.t, y, { transB: true }));
  g.forward.push(await biasAdd(g.ctx, y, b.t));
  const out: Var = new Var(y, needs(x, w, b), {
    name: 'linear', inputs: [x, w, b],
    backward: async (gr) => {
      const dy = gr.gradOf(out);
      await gr.contribute(w, true, (dst, acc) => matmul(gr.ctx, dy, x.t, dst, { transA: true, accumulate: acc }));
      await gr.contribute(b, true, (dst, acc) => biasGrad(gr.ctx, dy, dst, { accumulate: acc }));
      await gr.contribute(x, true, (dst, acc) => matmul(gr.ctx, dy, w.t, dst, { accumulate: acc }));
    },
  });
  return out;
}

/**
 * y = x W^T + b, then max(y, 0) with `relu`, as one GEMM whose store adds the bias and applies the
 * ReLU. Backward: dW with db as its row sums in one GEMM, dx in another. With relu both read dy
 * through the mask y > 0, unless every kernel that wrote dy applied the mask as it stored (the
 * next dense layer's dx GEMM does: out.gradMask); dx is stored through x's mask when x has one.
 */
export async function fusedLinear(g: Graph, x: Var, w: Var, b: Var, opts: { relu?: boolean } = {}): Promise<Var> {
  if (x.shape.length !== 2) throw new Error(`linear: input must be [N, features], got [${x.shape.join(', ')}]`);
  const relu = Boolean(opts.relu);
  const y = g.alloc([x.shape[0], w.shape[0]]);
  g.forward.push(await matmul(g.ctx, x.t, w.t, y, { transB: true, bias: b.t, relu }));
  const out: Var = new Var(y, needs(x, w, b), {
    name: relu ? 'linear+relu' : 'linear', inputs: [x, w, b],
    backward: async (gr) => {
      const dy = gr.gradOf(out), maskBy = relu && !gr.gradMasked(out) ? y : undefined;
      // A bias trained under frozen weights still needs the GEMM for its row sums.
      await gr.contributeAll([w, b], ([dw, db], acc) => matmul(gr.ctx, dy, x.t, dw ?? gr.alloc(w.shape), { transA: true, accumulate: acc, maskBy, rowSums: db ?? undefined }));
      await gr.contribute(x, true, (dst, acc, mask) => matmul(gr.ctx, dy, w.t, dst, { accumulate: acc, maskBy, maskOut: mask }), true);
    },
  });
  if (relu) out.gradMask = y;
  return out;
}

export async function relu(g: Graph, x: Var): Promise<Var> {
  const y = g.alloc(x.shape);
  g.forward.push(await reluForward(g.ctx, x.t, y));
  const out: Var = new Var(y, x.requiresGrad, {
    name: 'relu', inputs: [x],
    backward: (gr) => gr.contribute(x, false, (dst) => reluBackward(gr.ctx, x.t, gr.gradOf(out), dst)),
  });
  return out;
}

export async function maxPool2d(g: Graph, x: Var, args: Pool2dArgs): Promise<Var> {
  const geo = pool2dGeom(x.shape, args);
  const shape = [geo.N, geo.C, geo.OH, geo.OW];
  const y = g.alloc(shape), idx = g.alloc(shape, 'u32');
  g.forward.push(await maxPool2dForward(g.ctx, x.t, y, idx, args));
  const out: Var = new Var(y, x.requiresGrad, {
    name: 'maxpool2d', inputs: [x],
    backward: (gr) => gr.contribute(x, false, (dst) => maxPool2dBackward(gr.ctx, gr.gradOf(out), idx, dst, args)),
  });
  return out;
}

export async function avgPool2d(g: Graph, x: Var, args: Pool2dArgs): Promise<Var> {
  const geo = pool2dGeom(x.shape, args);
  const y = g.alloc([geo.N, geo.C, geo.OH, geo.OW]);
  g.forward.push(await avgPool2dForward(g.ctx, x.t, y, args));
  const out: Var = new Var(y, x.requiresGrad, {
    name: 'avgpool2d', inputs: [x],
    backward: (gr) => gr.contribute(x, false, (dst) => avgPool2dBackward(gr.ctx, gr.gradOf(out), dst, args)),
  });
  return out;
}

/** Global average pooling, [N, C, H, W] -> [N, C]: average pooling over the whole plane, viewed as [N, C]. */
export async function globalAvgPool2d(g: Graph, x: Var): Promise<Var> {
  if (x.shape.length !== 4) throw new Error(`globalavgpool2d: input must be [N, C, H, W], got [${x.shape.join(', ')}]`);
  const [N, C, H, W] = x.shape;
  return reshape(await avgPool2d(g, x, { kernel: [H, W] }), [N, C]);
}

/** The running statistics a batchnorm layer keeps: buffers, not parameters (no gradient, no optimizer). */
export interface RunningStats { mean: Tensor; variance: Tensor }

/**
 * Batch normalisation over dim 1 of x ([N, C, H, W] or [N, F]). A training graph normalises with
 * the batch statistics, updates `running` in its forward and differentiates through the batch
 * statistics; an evaluation graph (Graph(ctx, false)) normalises with `running`.
 */
export async function batchNorm(g: Graph, x: Var, gamma: Var, beta: Var, running: RunningStats, opts: Omit<BatchNormOpts, 'version'> = {}): Promise<Var> {
  const y = g.alloc(x.shape);
  const common = { x: x.t, gamma: gamma.t, beta: beta.t, y, runningMean: running.mean, runningVar: running.variance };
  if (!g.training) {
    g.forward.push(await batchNormEval(g.ctx, common, opts));
    return new Var(y, false);
  }
  const C = x.shape[1], mean = g.alloc([C]), variance = g.alloc([C]);
  g.forward.push(...(await batchNormTrain(g.ctx, { ...common, mean, variance }, opts)));
  const out: Var = new Var(y, needs(x, gamma, beta), {
    name: 'batchnorm', inputs: [x, gamma, beta],
    backward: async (gr) => {
      // dbeta and dgamma are the channel sums the input gradient needs too: computed once, then added where wanted.
      const sumDy = gr.alloc([C]), sumDyx = gr.alloc([C]);
      const t = { x: x.t, dy: gr.gradOf(out), gamma: gamma.t, mean, variance, sumDy, sumDyx };
      let summed = false;
      await gr.contribute(x, true, (dx, accumulate) => { summed = true; return batchNormBackward(gr.ctx, { ...t, dx }, { ...opts, accumulate }); });
      if (!summed) gr.backwardList.push(...(await batchNormBackward(gr.ctx, { ...t, dx: null }, opts)));
      await gr.contribute(gamma, true, (dst, acc) => (acc ? axpy(gr.ctx, 1, sumDyx, dst) : scale(gr.ctx, sumDyx, 1, dst)));
      await gr.contribute(beta, true, (dst, acc) => (acc ? axpy(gr.ctx, 1, sumDy, dst) : scale(gr.ctx, sumDy, 1, dst)));
    },
  });
  return out;
}

/** A view with a new shape (no copy); its gradient is a view of the input's gradient. */
export function reshape(x: Var, shape: readonly number[]): Var {
  if (numel(shape) !== numel(x.shape)) throw new Error(`reshape: [${x.shape.join(', ')}] cannot become [${shape.join(', ')}]`);
  return new Var({ ...x.t, shape }, x.requiresGrad, { name: 'reshape', inputs: [x], backward: async () => {} }, x);
}

/** Inverted dropout. Returns the dispatch so the trainer can rewrite its seed every step. */
export async function dropout(g: Graph, x: Var, rate: number, seed: number): Promise<{ out: Var; fwd: KernelDispatch }> {
  const y = g.alloc(x.shape), mask = g.alloc(x.shape);
  const fwd = await dropoutForward(g.ctx, x.t, mask, y, rate, seed);
  g.forward.push(fwd);
  const out: Var = new Var(y, x.requiresGrad, {
    name: 'dropout', inputs: [x],
    backward: (gr) => gr.contribute(x, false, (dst) => dropoutBackward(gr.ctx, gr.gradOf(out), mask, dst)),
  });
  return { out, fwd };
}

/**
 * Fused mean softmax cross-entropy: the forward writes per-row losses and, in the same kernel,
 * the logits' gradient, which seeds the backward.
 */
export async function softmaxCrossEntropy(g: Graph, logits: Var, labels: Tensor): Promise<Tensor> {
  const loss = g.alloc([logits.shape[0]]);
  g.forward.push(await softmaxXentForwardBackward(g.ctx, logits.t, labels, loss, g.gradOf(logits)));
  g.seeded(logits);
  return loss;
}

/**
 * The training step's loss in one op: seeds the logits' gradient with that of the mean
 * cross-entropy against labels smoothed by `smoothing` (0: none), and adds the batch's mean loss
 * and its correct rows to `totals` (running sums the caller clears).
 */
export async function trainingLoss(g: Graph, logits: Var, labels: Tensor, totals: XentTotals, smoothing = 0): Promise<void> {
  g.forward.push(...(await softmaxXentStep(g.ctx, logits.t, labels, g.gradOf(logits), totals, { smoothing, scratch: (s, d) => g.alloc(s, d) })));
  g.seeded(logits);
}

/** a + b (same shapes): the join of two branches, so gradients fan out to both. */
export async function add(g: Graph, a: Var, b: Var): Promise<Var> {
  const y = g.alloc(a.shape);
  g.forward.push(await addOp(g.ctx, a.t, b.t, y));
  const out: Var = new Var(y, needs(a, b), {
    name: 'add', inputs: [a, b],
    backward: async (gr) => {
      const dy = gr.gradOf(out);
      for (const v of [a, b]) await gr.contribute(v, true, (dst, acc) => (acc ? axpy(gr.ctx, 1, dy, dst) : scale(gr.ctx, dy, 1, dst)));
    },
  });
  return out;
}

import type { GpuContext } from '../gpu/context.js';
import { Readback, type Tensor } from '../gpu/buffers.js';
import { encodeDispatches, type Dispatch } from '../gpu/dispatch.js';
import { Graph } from '../autograd/graph.js';
import { trainingLoss } from '../autograd/ops.js';
import { softmax } from '../kernels/softmax_xent/family.js';
import { argmax, countCorrect } from '../kernels/metrics/family.js';
import type { Sequential } from '../nn/model.js';
import type { ForwardState } from '../nn/layers.js';
import type { Optimizer } from '../optim/optimizer.js';

export interface StepOptions {
  /** Cross-entropy against (1 - eps) onehot + eps / classes; 0 (the default) is the plain loss. */
  labelSmoothing?: number;
}

/**
 * A whole training step (forward, fused loss + gradient, backward, optimizer) recorded once for a
 * fixed batch; every step encodes the same dispatches into one command buffer. The loss sum and
 * correct count accumulate on the GPU (in the loss pass itself) and are read only when asked.
 */
export class TrainStep {
  private constructor(
    readonly ctx: GpuContext,
    readonly graph: Graph,
    readonly dispatches: Dispatch[],
    readonly logits: Tensor,
    private readonly lossAcc: Tensor,
    private readonly correctAcc: Tensor,
    private readonly state: ForwardState,
    private readonly optimizer: Optimizer | null,
    private readonly readback: Readback,
  ) {}

  static async build(ctx: GpuContext, model: Sequential, x: Tensor, labels: Tensor, optimizer: Optimizer | null, seed = 1, pre: Dispatch[] = [], opts: StepOptions = {}): Promise<TrainStep> {
    const g = new Graph(ctx);
    const state: ForwardState = { training: true, dropouts: [], seed };
    const logits = await model.forward(g, g.input(x), state);
    const lossAcc = g.alloc([1]), correctAcc = g.alloc([1], 'u32');
    await trainingLoss(g, logits, labels, { loss: lossAcc, correct: correctAcc }, opts.labelSmoothing ?? 0);
    await g.backward(logits);
    const list = [...pre, ...g.forward, ...g.backwardList, ...(optimizer ? [optimizer.dispatch] : [])];
    const step = new TrainStep(ctx, g, list, logits.t, lossAcc, correctAcc, state, optimizer, new Readback(ctx.device, [lossAcc, correctAcc]));
    // The one clear of the gradients: after it, the optimizer zeroes each gradient it reads.
    const enc = ctx.device.createCommandEncoder();
    enc.clearBuffer(model.store.flat(model.store.grads).buffer);
    ctx.queue.submit([enc.finish()]);
    step.resetMetrics();
    return step;
  }

  /** Rewrites per-step uniforms (dropout seeds, optimizer step/lr): queue writes, no readback. */
  prepare(t: number, lr: number, seed: number): void {
    // A new dropout mask every step: only the seed changes.
    for (const [i, d] of this.state.dropouts.entries()) d.set('seed', (Math.imul(seed, 7919) + i * 104729 + t) >>> 0);
    this.optimizer?.prepare(t, lr);
  }

  /**
   * Encodes the step into `enc`: every dispatch, no clear (the optimizer zeroes the gradients it
   * has used; without an optimizer they accumulate over runs).
   */
  encode(enc: GPUCommandEncoder): void {
    encodeDispatches(this.ctx, enc, this.dispatches);
  }

  run(): void {
    const enc = this.ctx.device.createCommandEncoder();
    this.encode(enc);
    this.ctx.profiler?.resolve(enc);
    this.ctx.queue.submit([enc.finish()]);
  }

  resetMetrics(): void {
    const enc = this.ctx.device.createCommandEncoder();
    enc.clearBuffer(this.lossAcc.buffer, this.lossAcc.offset, 16);
    enc.clearBuffer(this.correctAcc.buffer, this.correctAcc.offset, 16);
    this.ctx.queue.submit([enc.finish()]);
  }

  /** Sum of per-step mean losses and correct predictions since the last reset (one readback). */
  async readMetrics(): Promise<{ lossSum: number; correct: number }> {
    const [l, c] = await this.readback.read();
    return { lossSum: new Float32Array(l)[0], correct: new Uint32Array(c)[0] };
  }

  destroy(): void {
    this.graph.destroy();
    this.readback.destroy();
  }
}

/** Forward-only graph for evaluation and prediction: logits, probabilities, argmax, correct count. */
export class EvalStep {
  private constructor(readonly ctx: GpuContext, readonly graph: Graph, readonly dispatches: Dispatch[],
    readonly probs: Tensor, readonly preds: Tensor, readonly correct: Tensor) {}

  static async build(ctx: GpuContext, model: Sequential, x: Tensor, labels: Tensor | null, pre: Dispatch[] = []): Promise<EvalStep> {
    const g = new Graph(ctx, false);
    const logits = await model.forward(g, g.input(x), { training: false, dropouts: [], seed: 0 });
    const probs = g.alloc(logits.shape), preds = g.alloc([logits.shape[0]], 'u32'), correct = g.alloc([1], 'u32');
    g.forward.push(await softmax(ctx, logits.t, probs), await argmax(ctx, logits.t, preds));
    if (labels) g.forward.push(await countCorrect(ctx, logits.t, labels, correct));
    return new EvalStep(ctx, g, [...pre, ...g.forward], probs, preds, correct);
  }

  run(): void {
    const enc = this.ctx.device.createCommandEncoder();
    encodeDispatches(this.ctx, enc, this.dispatches);
    // On a profiling context every run resolves its spans, as TrainStep.run does: else 200
    // evaluation runs fill the profiler's query set.
    this.ctx.profiler?.resolve(enc);
    this.ctx.queue.submit([enc.finish()]);
  }

  destroy(): void {
    this.graph.destroy();
  }
}

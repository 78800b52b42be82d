import type { GpuContext } from '../gpu/context.js';
import { Readback, readTensor, readTensorU32 } from '../gpu/buffers.js';
import type { Gather, GpuDataset } from '../data/gpu_dataset.js';
import { evalBatch, type Sequential } from '../nn/model.js';
import { EvalStep } from './step.js';

/**
 * Test accuracy with everything on the GPU: one readback of the correct count per call. Built
 * once and re-run every epoch, so evaluating allocates nothing after the first time.
 */
export class AccuracyRunner {
  private constructor(private ctx: GpuContext, private ds: GpuDataset, private batch: number, private gather: Gather, private step: EvalStep, private readback: Readback) {}

  static async create(ctx: GpuContext, model: Sequential, ds: GpuDataset, batch = evalBatch(model.spec)): Promise<AccuracyRunner> {
    const gather = await ds.gather(batch, null);
    const step = await EvalStep.build(ctx, model, gather.x, gather.y, [gather.dispatch]).catch((e) => { freeGather(gather); throw e; });
    return new AccuracyRunner(ctx, ds, batch, gather, step, new Readback(ctx.device, [step.correct]));
  }

  async run(): Promise<number> {
    this.ds.shuffle(null);
    const enc = this.ctx.device.createCommandEncoder();
    enc.clearBuffer(this.step.correct.buffer, this.step.correct.offset, 16);
    this.ctx.queue.submit([enc.finish()]);
    for (let start = 0; start < this.ds.count; start += this.batch) {
      this.gather.set(start, 0);
      this.step.run();
    }
    const [c] = await this.readback.read();
    return new Uint32Array(c)[0] / this.ds.count;
  }

  destroy(): void {
    this.step.destroy();
    this.readback.destroy();
    freeGather(this.gather);
  }
}

const freeGather = (g: Gather) => { for (const b of [g.x.buffer, g.y.buffer, g.dispatch.uniform]) b.destroy(); };

export async function accuracy(ctx: GpuContext, model: Sequential, ds: GpuDataset, batch = evalBatch(model.spec)): Promise<number> {
  const r = await AccuracyRunner.create(ctx, model, ds, batch);
  try {
    return await r.run();
  } finally {
    r.destroy();
  }
}

export interface Evaluation {
  accuracy: number;
  /** confusion[true][pred] */
  confusion: number[][];
  precision: number[];
  recall: number[];
  preds: Uint32Array;
  /** probs[i * classes + k] */
  probs: Float32Array;
}

/** Full evaluation: predictions and probabilities for every image (read back per batch). */
export async function evaluate(ctx: GpuContext, model: Sequential, ds: GpuDataset, batch = evalBatch(model.spec)): Promise<Evaluation> {
  const K = model.spec.classes, n = ds.count;
  const gather = await ds.gather(batch, null);
  let step: EvalStep | null = null;
  try {
    step = await EvalStep.build(ctx, model, gather.x, gather.y, [gather.dispatch]);
    ds.shuffle(null);
    const preds = new Uint32Array(n), probs = new Float32Array(n * K);
    for (let start = 0; start < n; start += batch) {
      gather.set(start, 0);
      step.run();
      const [p, pr] = await Promise.all([readTensorU32(ctx.device, step.preds), readTensor(ctx.device, step.probs)]);
      const m = Math.min(batch, n - start);
      preds.set(p.subarray(0, m), start);
      probs.set(pr.subarray(0, m * K), start * K);
    }
    return { ...scores(ds.set.labels, preds, K), preds, probs };
  } finally {
    // Freed on every exit path, a failed readback included.
    step?.destroy();
    freeGather(gather);
  }
}

export function scores(labels: ArrayLike<number>, preds: ArrayLike<number>, K: number) {
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  let correct = 0;
  for (let i = 0; i < preds.length; i++) {
    confusion[labels[i]][preds[i]]++;
    if (labels[i] === preds[i]) correct++;
  }
  const col = (k: number) => confusion.reduce((s, r) => s + r[k], 0);
  const row = (k: number) => confusion[k].reduce((a, b) => a + b, 0);
  return {
    accuracy: correct / Math.max(1, preds.length),
    confusion,
    precision: confusion.map((_, k) => confusion[k][k] / Math.max(1, col(k))),
    recall: confusion.map((_, k) => confusion[k][k] / Math.max(1, row(k))),
  };
}

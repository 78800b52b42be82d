import type { GpuContext } from '../gpu/context.js';
import { readTensor } from '../gpu/buffers.js';
import { GpuDataset, type Gather } from '../data/gpu_dataset.js';
import type { Sequential } from '../nn/model.js';
import { EvalStep } from './step.js';

/**
 * One-image inference for interactive use (the draw page): the graph, the input buffer and the
 * normalising gather are built once; each call writes 784 bytes, runs, and reads the probabilities.
 */
export class Predictor {
  private constructor(private ctx: GpuContext, private ds: GpuDataset, private gather: Gather, private step: EvalStep) {}

  static async create(ctx: GpuContext, model: Sequential): Promise<Predictor> {
    const [c, h, w] = model.spec.input;
    if (c !== 1) throw new Error(`Predictor: the model takes ${c} channels; drawn digits have 1`);
    const ds = new GpuDataset(ctx, { count: 1, rows: h, cols: w, images: new Uint8Array(h * w), labels: new Uint8Array(1), classes: model.spec.classes });
    const gather = await ds.gather(1, null);
    const step = await EvalStep.build(ctx, model, gather.x, null, [gather.dispatch]);
    return new Predictor(ctx, ds, gather, step);
  }

  /** Probabilities for one image of rows x cols bytes, 0 = background, 255 = ink (MNIST polarity). */
  async predict(pixels: Uint8Array): Promise<Float32Array> {
    const n = this.ds.set.rows * this.ds.set.cols;
    if (pixels.length !== n) throw new Error(`Predictor: expected ${n} pixels, got ${pixels.length}`);
    const padded = new Uint8Array(Math.ceil(n / 4) * 4);
    padded.set(pixels);
    this.ctx.queue.writeBuffer(this.ds.images.buffer, 0, padded);
    this.gather.set(0, 0);
    this.step.run();
    return readTensor(this.ctx.device, this.step.probs);
  }

  destroy(): void {
    this.step.destroy();
    this.gather.x.buffer.destroy();
    this.gather.y.buffer.destroy();
    this.ds.destroy();
  }
}

import type { GpuContext } from '../gpu/context.js';
import { createTensor, uploadTensor, writeTensor, type Tensor } from '../gpu/buffers.js';
import { makeDispatch, packUniform, type OpDispatch } from '../ops/common.js';
import { rng } from '../util/rng.js';
import type { ImageSet } from './idx.js';

export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

export interface Augment { maxShift: number; maxRot: number; scaleJit: number }
/** Mild MNIST augmentation: +-2 px shift, +-10 degrees, +-10% scale. */
export const DEFAULT_AUGMENT: Augment = { maxShift: 2, maxRot: (10 * Math.PI) / 180, scaleJit: 0.1 };

/** Seeded Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, seed: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const r = rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

/** A batch gather recorded once; `set` rewrites its uniform (batch start, augmentation seed). */
export interface Gather {
  dispatch: OpDispatch;
  x: Tensor;
  y: Tensor;
  set(start: number, seed: number): void;
}

/** The whole image set on the GPU: packed pixels, labels and the current permutation. */
export class GpuDataset {
  readonly images: Tensor;
  readonly labels: Tensor;
  readonly perm: Tensor;

  constructor(readonly ctx: GpuContext, readonly set: ImageSet) {
    const bytes = set.count * set.rows * set.cols;
    const padded = new Uint8Array(Math.ceil(bytes / 4) * 4);
    padded.set(set.images.subarray(0, bytes));
    const max = ctx.limits.maxStorageBufferBindingSize;
    if (padded.length > max) throw new Error(`data set of ${padded.length} bytes exceeds the adapter's storage binding limit (${max})`);
    this.images = uploadTensor(ctx.device, new Uint32Array(padded.buffer), [padded.length / 4]);
    this.labels = uploadTensor(ctx.device, Uint32Array.from(set.labels), [set.count]);
    this.perm = createTensor(ctx.device, [set.count], 'u32');
    this.shuffle(null);
  }

  get count(): number {
    return this.set.count;
  }

  /** Sets the epoch's order: a seeded permutation, or the identity for null (evaluation). */
  shuffle(seed: number | null): void {
    const p = seed === null ? Uint32Array.from({ length: this.count }, (_, i) => i) : permutation(this.count, seed);
    writeTensor(this.ctx.device, this.perm, p);
  }

  async gather(batch: number, augment: Augment | null): Promise<Gather> {
    const { rows: H, cols: W } = this.set;
    const x = createTensor(this.ctx.device, [batch, 1, H, W]);
    const y = createTensor(this.ctx.device, [batch], 'u32');
    const a = augment ?? { maxShift: 0, maxRot: 0, scaleJit: 0 };
    const uniform = (start: number, seed: number) => packUniform([batch, start, this.count, H, W, augment ? 1 : 0, seed >>> 0, 0,
      { f: MNIST_MEAN }, { f: 1 / MNIST_STD }, { f: a.maxShift }, { f: Math.tan(a.maxRot / 2) }, { f: a.scaleJit }, { f: 0 }, { f: 0 }, { f: 0 }]);
    const dispatch = await makeDispatch(this.ctx, 'data.gather.v1', {
      uniform: uniform(0, 0), tensors: { 1: this.images, 2: this.labels, 3: this.perm, 4: x, 5: y }, threads: batch * H * W,
      flops: batch * H * W * (augment ? 30 : 3), bytes: batch * H * W * 5,
    });
    return { dispatch, x, y, set: (start, seed) => this.ctx.queue.writeBuffer(dispatch.uniform, 0, uniform(start, seed)) };
  }

  destroy(): void {
    for (const t of [this.images, this.labels, this.perm]) t.buffer.destroy();
  }
}

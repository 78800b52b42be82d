import type { GpuContext } from '../gpu/context.js';
import { createTensor, uploadTensor, writeTensor, type Tensor } from '../gpu/buffers.js';
import type { KernelDispatch } from '../kernels/contract.js';
import { gatherBatch, gatherSetBatch, type Augment } from '../kernels/data/family.js';
import { rng } from '../util/rng.js';
import type { ImageSet } from './idx.js';

export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

export type { Augment };
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

/** A batch gather recorded once; `set` rewrites its batch start and augmentation seed. */
export interface Gather {
  dispatch: KernelDispatch;
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
    const x = createTensor(this.ctx.device, [batch, 1, this.set.rows, this.set.cols]);
    const y = createTensor(this.ctx.device, [batch], 'u32');
    const dispatch = await gatherBatch(this.ctx, this, x, y, { start: 0, seed: 0, augment, mean: MNIST_MEAN, std: MNIST_STD });
    return { dispatch, x, y, set: (start, seed) => gatherSetBatch(dispatch, start, seed) };
  }

  destroy(): void {
    for (const t of [this.images, this.labels, this.perm]) t.buffer.destroy();
  }
}

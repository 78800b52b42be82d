// What a check allocates and runs on the GPU: seeded inputs in [-1, 1], outputs poisoned first
// (NaN, or 0xFFFFFFFF for u32) so an element a kernel never writes fails, and one place that frees
// it all afterwards: selftest runs every case on one device, where the tests had one per file.
import type { GpuContext } from '../gpu/context.js';
import { createTensor, poison, readTensor, readTensorU32, uploadTensor, type Tensor } from '../gpu/buffers.js';
import { run, type Dispatch } from '../gpu/dispatch.js';
import { uniform } from '../util/rng.js';
import type { Failure } from './compare.js';

export class CaseIO {
  private tensors: Tensor[] = [];
  private dispatches: Dispatch[] = [];
  private others: Array<{ destroy(): void }> = [];

  constructor(readonly ctx: GpuContext) {}

  /** Seeded values in [-1, 1] and the tensor holding them. */
  rand(shape: readonly number[], seed: number): { t: Tensor; v: Float32Array } {
    const v = uniform(shape.reduce((a, b) => a * b, 1), seed);
    return { t: this.upload(v, shape), v };
  }

  upload(data: Float32Array | Uint32Array, shape: readonly number[]): Tensor {
    return this.keep(uploadTensor(this.ctx.device, data, shape));
  }

  /** An output filled with NaN (f32) or 0xFFFFFFFF (u32). */
  output(shape: readonly number[], dtype: 'f32' | 'u32' = 'f32'): Tensor {
    const t = this.keep(createTensor(this.ctx.device, shape, dtype));
    poison(this.ctx.device, t);
    return t;
  }

  /** Frees `o` with the case (a data set, a model's store, a step). */
  own<T extends { destroy(): void }>(o: T): T {
    this.others.push(o);
    return o;
  }

  async exec(...ds: Array<Dispatch | Promise<Dispatch>>): Promise<void> {
    const list = await Promise.all(ds);
    this.dispatches.push(...list);
    await run(this.ctx, list);
  }

  read(t: Tensor): Promise<Float32Array> { return readTensor(this.ctx.device, t); }
  readU32(t: Tensor): Promise<Uint32Array> { return readTensorU32(this.ctx.device, t); }

  destroy(): void {
    for (const t of this.tensors) t.buffer.destroy();
    for (const d of this.dispatches) (d as { uniform?: GPUBuffer }).uniform?.destroy();
    for (const o of this.others) o.destroy();
    this.tensors = [];
    this.dispatches = [];
    this.others = [];
  }

  private keep(t: Tensor): Tensor {
    this.tensors.push(t);
    return t;
  }
}

/** One check: a kernel version at a shape, or a preset's training step. */
export interface Case {
  /** The family ('conv2d') or 'step'. */
  group: string;
  /** The version ('v3') or the preset ('lenet'). */
  name: string;
  /** The shape in words. */
  shape: string;
  /** Every comparison that failed; none when the case passes. */
  run(io: CaseIO): Promise<Failure[]>;
}

/** Keeps the failures among `checks` (null is a comparison that held). */
export const failures = (...checks: Array<Failure | null>): Failure[] => checks.filter((c): c is Failure => c !== null);

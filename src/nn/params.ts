import type { GpuContext } from '../gpu/context.js';
import { numel, STORAGE, type Tensor } from '../gpu/buffers.js';
import { rng } from '../util/rng.js';

export type Init = { kind: 'he'; fanIn: number } | { kind: 'glorot'; fanIn: number; fanOut: number } | { kind: 'zeros' };

export interface Param {
  name: string;
  shape: readonly number[];
  init: Init;
  /** Whether weight decay applies to it (see decays). */
  decay: boolean;
  /**
   * Float offset into the flat buffers (a multiple of 64 floats = 256 bytes, the binding
   * alignment). Decayed parameters come first; the layout is fixed the first time an offset or
   * the store's size is read, and no parameter can be added after that.
   */
  readonly offset: number;
}

const ALIGN = 64;

/**
 * The AdamW convention: weight decay for the tensors that multiply an input (conv kernels and
 * linear weights, 2-D and up), none for biases and normalisation scales and shifts (1-D), so
 * decay does not pull a layer's offsets or its normalisation towards zero.
 */
export const decays = (name: string, shape: readonly number[]): boolean => shape.length >= 2 && !name.endsWith('.bias');

/**
 * All parameters in one flat weight buffer, with matching flat buffers for gradients and two
 * optimizer slots, so an optimizer step is one dispatch. The decayed parameters fill
 * [0, decayEnd), so that step decays a prefix and nothing else.
 */
export class ParamStore {
  readonly params: Param[] = [];
  weights: GPUBuffer | null = null;
  grads: GPUBuffer | null = null;
  slots: GPUBuffer[] = [];
  private offsets: Map<Param, number> | null = null;
  private total = 0;
  private decayed = 0;

  add(name: string, shape: readonly number[], init: Init): Param {
    if (this.offsets) throw new Error(`ParamStore: cannot add ${name} once the layout is fixed (an offset or the size was read)`);
    if (this.params.some((p) => p.name === name)) throw new Error(`duplicate parameter name ${name}`);
    const layout = () => this.layout();
    const p: Param = { name, shape, init, decay: decays(name, shape), get offset() { return layout().get(p)!; } };
    this.params.push(p);
    return p;
  }

  private layout(): Map<Param, number> {
    if (this.offsets) return this.offsets;
    const offsets = new Map<Param, number>();
    let at = 0;
    for (const decay of [true, false]) {
      for (const p of this.params) if (p.decay === decay) { offsets.set(p, at); at += Math.ceil(numel(p.shape) / ALIGN) * ALIGN; }
      if (decay) this.decayed = at;
    }
    this.total = at;
    this.offsets = offsets;
    return offsets;
  }

  /** Floats in each flat buffer. */
  get size(): number {
    this.layout();
    return this.total;
  }

  /** The decayed parameters are [0, decayEnd) of the flat buffers. */
  get decayEnd(): number {
    this.layout();
    return this.decayed;
  }

  /** Seeded host-side initial values for every parameter, laid out like the flat buffer. */
  initialValues(seed: number): Float32Array {
    const out = new Float32Array(this.size);
    const r = rng(seed);
    const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    for (const p of this.params) {
      const n = numel(p.shape);
      for (let i = 0; i < n; i++) {
        if (p.init.kind === 'he') out[p.offset + i] = normal() * Math.sqrt(2 / p.init.fanIn);
        else if (p.init.kind === 'glorot') out[p.offset + i] = (2 * r() - 1) * Math.sqrt(6 / (p.init.fanIn + p.init.fanOut));
      }
    }
    return out;
  }

  materialize(ctx: GpuContext, values: Float32Array, slots = 2): void {
    if (values.length !== this.size) throw new Error(`ParamStore: ${values.length} values for ${this.size} slots`);
    const bytes = Math.max(16, this.size * 4);
    const mk = (label: string) => ctx.device.createBuffer({ size: bytes, usage: STORAGE, label });
    this.weights = mk('params');
    this.grads = mk('grads');
    this.slots = Array.from({ length: slots }, (_, i) => mk(`opt-slot${i}`));
    ctx.queue.writeBuffer(this.weights, 0, values.buffer, values.byteOffset, values.byteLength);
  }

  private view(buf: GPUBuffer | null, p: Param): Tensor {
    if (!buf) throw new Error('ParamStore: materialize() first');
    return { buffer: buf, offset: p.offset * 4, shape: p.shape, dtype: 'f32' };
  }
  weight(p: Param): Tensor { return this.view(this.weights, p); }
  grad(p: Param): Tensor { return this.view(this.grads, p); }
  /** The whole flat buffer as one tensor (optimizer steps). */
  flat(buf: GPUBuffer | null): Tensor {
    if (!buf) throw new Error('ParamStore: materialize() first');
    return { buffer: buf, offset: 0, shape: [this.size], dtype: 'f32' };
  }

  destroy(): void {
    for (const b of [this.weights, this.grads, ...this.slots]) b?.destroy();
  }
}

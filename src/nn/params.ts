import type { GpuContext } from '../gpu/context.js';
import { numel, readTensor, STORAGE, type Tensor } from '../gpu/buffers.js';
import { rng } from '../util/rng.js';

export type Init = { kind: 'he'; fanIn: number } | { kind: 'glorot'; fanIn: number; fanOut: number } | { kind: 'zeros' } | { kind: 'ones' };

export interface Param {
  name: string;
  shape: readonly number[];
  init: Init;
  /** Whether weight decay applies to it (see decays; never for buffers). */
  decay: boolean;
  /**
   * Float offset into the flat buffers (a multiple of 64 floats = 256 bytes, the binding
   * alignment). Decayed parameters come first; the layout is fixed the first time an offset or
   * the store's size is read, and no parameter can be added after that. A buffer's offset
   * indexes bufferStore.
   */
  readonly offset: number;
}

const ALIGN = 64;
const padded = (shape: readonly number[]) => Math.ceil(numel(shape) / ALIGN) * ALIGN;

/**
 * The AdamW convention: weight decay for the tensors that multiply an input (conv kernels and
 * linear weights, 2-D and up), none for biases and normalisation scales and shifts (1-D), so
 * decay does not pull a layer's offsets or its normalisation towards zero.
 */
export const decays = (name: string, shape: readonly number[]): boolean => shape.length >= 2 && !name.endsWith('.bias');

/**
 * All parameters in one flat weight buffer, with matching flat buffers for gradients and two
 * optimizer slots, so an optimizer step is one dispatch. The decayed parameters fill
 * [0, decayEnd), so that step decays a prefix and nothing else. Buffers (batchnorm's running
 * statistics) live in a flat buffer of their own: state the forward updates, never a gradient,
 * the optimizer or weight decay. On the host the model's state is one array: every parameter
 * (`size` floats, as in the weight buffer), then every buffer (`bufferSize`).
 */
export class ParamStore {
  readonly params: Param[] = [];
  readonly buffers: Param[] = [];
  bufferSize = 0;
  weights: GPUBuffer | null = null;
  grads: GPUBuffer | null = null;
  slots: GPUBuffer[] = [];
  bufferStore: GPUBuffer | null = null;
  private offsets: Map<Param, number> | null = null;
  private total = 0;
  private decayed = 0;

  add(name: string, shape: readonly number[], init: Init): Param {
    if (this.offsets) throw new Error(`ParamStore: cannot add ${name} once the layout is fixed (an offset or the size was read)`);
    this.checkName(name);
    const layout = () => this.layout();
    const p: Param = { name, shape, init, decay: decays(name, shape), get offset() { return layout().get(p)!; } };
    this.params.push(p);
    return p;
  }

  /** A named tensor of model state that is not trained (e.g. a running mean). */
  addBuffer(name: string, shape: readonly number[], init: Init & { kind: 'zeros' | 'ones' }): Param {
    if (this.weights) throw new Error('ParamStore: cannot add buffers after materialize()');
    this.checkName(name);
    const b: Param = { name, shape, init, decay: false, offset: this.bufferSize };
    this.bufferSize += padded(shape);
    this.buffers.push(b);
    return b;
  }

  private checkName(name: string): void {
    if ([...this.params, ...this.buffers].some((p) => p.name === name)) throw new Error(`duplicate parameter name ${name}`);
  }

  private layout(): Map<Param, number> {
    if (this.offsets) return this.offsets;
    const offsets = new Map<Param, number>();
    let at = 0;
    for (const decay of [true, false]) {
      for (const p of this.params) if (p.decay === decay) { offsets.set(p, at); at += padded(p.shape); }
      if (decay) this.decayed = at;
    }
    this.total = at;
    this.offsets = offsets;
    return offsets;
  }

  /** Floats in each flat parameter buffer. */
  get size(): number {
    this.layout();
    return this.total;
  }

  /** The decayed parameters are [0, decayEnd) of the flat buffers. */
  get decayEnd(): number {
    this.layout();
    return this.decayed;
  }

  /** Floats in the host-side state: parameters, then buffers. */
  get stateSize(): number { return this.size + this.bufferSize; }

  /** Seeded host-side initial state: every parameter laid out like the flat buffer, then every buffer. */
  initialValues(seed: number): Float32Array {
    const out = new Float32Array(this.stateSize);
    const r = rng(seed);
    const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    const fill = (p: Param, at: number) => {
      const n = numel(p.shape);
      for (let i = 0; i < n; i++) {
        if (p.init.kind === 'he') out[at + i] = normal() * Math.sqrt(2 / p.init.fanIn);
        else if (p.init.kind === 'glorot') out[at + i] = (2 * r() - 1) * Math.sqrt(6 / (p.init.fanIn + p.init.fanOut));
        else if (p.init.kind === 'ones') out[at + i] = 1;
      }
    };
    for (const p of this.params) fill(p, p.offset);
    for (const b of this.buffers) fill(b, this.size + b.offset);
    return out;
  }

  /** Uploads a state (parameters, then buffers: stateSize floats) and makes the gradient and `slots` optimizer buffers. */
  materialize(ctx: GpuContext, values: Float32Array, slots = 2): void {
    if (values.length !== this.stateSize) throw new Error(`ParamStore: ${values.length} values for ${this.stateSize} slots`);
    const mk = (label: string, floats = this.size) => ctx.device.createBuffer({ size: Math.max(16, floats * 4), usage: STORAGE, label });
    this.weights = mk('params');
    this.grads = mk('grads');
    this.slots = Array.from({ length: slots }, (_, i) => mk(`opt-slot${i}`));
    ctx.queue.writeBuffer(this.weights, 0, values.buffer, values.byteOffset, this.size * 4);
    if (!this.bufferSize) return;
    this.bufferStore = mk('buffers', this.bufferSize);
    ctx.queue.writeBuffer(this.bufferStore, 0, values.buffer, values.byteOffset + this.size * 4, this.bufferSize * 4);
  }

  /** The state on the GPU now, laid out as materialize() takes it. */
  async readState(device: GPUDevice): Promise<Float32Array> {
    const out = new Float32Array(this.stateSize);
    out.set(await readTensor(device, this.flat(this.weights)));
    if (this.bufferSize) out.set(await readTensor(device, { ...this.flat(this.bufferStore), shape: [this.bufferSize] }), this.size);
    return out;
  }

  private view(buf: GPUBuffer | null, p: Param): Tensor {
    if (!buf) throw new Error('ParamStore: materialize() first');
    return { buffer: buf, offset: p.offset * 4, shape: p.shape, dtype: 'f32' };
  }
  weight(p: Param): Tensor { return this.view(this.weights, p); }
  grad(p: Param): Tensor { return this.view(this.grads, p); }
  buffer(b: Param): Tensor { return this.view(this.bufferStore, b); }
  /** The whole flat buffer as one tensor (optimizer steps). */
  flat(buf: GPUBuffer | null): Tensor {
    if (!buf) throw new Error('ParamStore: materialize() first');
    return { buffer: buf, offset: 0, shape: [this.size], dtype: 'f32' };
  }

  destroy(): void {
    for (const b of [this.weights, this.grads, ...this.slots, this.bufferStore]) b?.destroy();
  }
}

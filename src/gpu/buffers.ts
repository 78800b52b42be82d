/** A view of a storage buffer: the region [offset, offset + size*4) holds `shape` in row-major order. */
export interface Tensor {
  buffer: GPUBuffer;
  /** Byte offset; a multiple of minStorageBufferOffsetAlignment (256) when bound. */
  offset: number;
  shape: readonly number[];
  dtype: 'f32' | 'u32';
}

// Numeric flags: the GPUBufferUsage global exists only once a WebGPU implementation is loaded.
export const STORAGE = 0x80 /* STORAGE */ | 0x4 /* COPY_SRC */ | 0x8 /* COPY_DST */;

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`invalid shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

export function byteSize(t: Tensor): number {
  return numel(t.shape) * 4;
}

export function binding(t: Tensor): GPUBufferBinding {
  return { buffer: t.buffer, offset: t.offset, size: Math.max(4, byteSize(t)) };
}

const round4 = (n: number) => Math.max(16, Math.ceil(n / 16) * 16);

/**
 * Reuses buffers by (usage, size class) so steady-state training allocates nothing.
 * Sizes round up to a power of two above 64 KiB to keep the number of classes small.
 */
export class BufferPool {
  private free = new Map<string, GPUBuffer[]>();
  private live = new Set<GPUBuffer>();
  bytesLive = 0;
  bytesPeak = 0;
  allocations = 0;

  constructor(private device: GPUDevice) {}

  static sizeClass(bytes: number): number {
    const b = round4(bytes);
    return b <= 65536 ? b : 2 ** Math.ceil(Math.log2(b));
  }

  acquire(bytes: number, usage: number = STORAGE, label?: string): GPUBuffer {
    const size = BufferPool.sizeClass(bytes);
    const key = `${usage}:${size}`;
    const hit = this.free.get(key)?.pop();
    const buf = hit ?? this.device.createBuffer({ size, usage, label });
    if (!hit) this.allocations++;
    this.live.add(buf);
    this.bytesLive += size;
    this.bytesPeak = Math.max(this.bytesPeak, this.bytesLive);
    return buf;
  }

  release(buf: GPUBuffer): void {
    if (!this.live.delete(buf)) throw new Error('BufferPool.release: buffer is not live in this pool');
    this.bytesLive -= buf.size;
    const key = `${buf.usage}:${buf.size}`;
    const list = this.free.get(key) ?? [];
    list.push(buf);
    this.free.set(key, list);
  }

  destroy(): void {
    for (const b of this.live) b.destroy();
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.live.clear();
    this.free.clear();
    this.bytesLive = 0;
  }
}

export function createTensor(device: GPUDevice, shape: readonly number[], dtype: 'f32' | 'u32' = 'f32', label?: string): Tensor {
  const buffer = device.createBuffer({ size: round4(numel(shape) * 4), usage: STORAGE, label });
  return { buffer, offset: 0, shape, dtype };
}

export function uploadTensor(device: GPUDevice, data: Float32Array | Uint32Array, shape: readonly number[], label?: string): Tensor {
  if (data.length !== numel(shape)) throw new Error(`uploadTensor: ${data.length} values for shape [${shape.join(', ')}]`);
  const t = createTensor(device, shape, data instanceof Uint32Array ? 'u32' : 'f32', label);
  writeTensor(device, t, data);
  return t;
}

export function writeTensor(device: GPUDevice, t: Tensor, data: Float32Array | Uint32Array): void {
  if (data.length !== numel(t.shape)) throw new Error(`writeTensor: ${data.length} values for shape [${t.shape.join(', ')}]`);
  device.queue.writeBuffer(t.buffer, t.offset, data.buffer, data.byteOffset, data.byteLength);
}

/** Fills with NaN (f32) or 0xFFFFFFFF (u32) so a kernel that skips elements fails its test. */
export function poison(device: GPUDevice, t: Tensor): void {
  const n = numel(t.shape);
  const bits = new Uint32Array(n).fill(t.dtype === 'f32' ? 0x7fc00000 : 0xffffffff);
  device.queue.writeBuffer(t.buffer, t.offset, bits);
}

async function readRaw(device: GPUDevice, t: Tensor): Promise<ArrayBuffer> {
  const bytes = byteSize(t);
  const staging = device.createBuffer({ size: round4(bytes), usage: 0x1 /* MAP_READ */ | 0x8 /* COPY_DST */ });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(t.buffer, t.offset, staging, 0, bytes);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(0x1 /* READ */);
  const out = staging.getMappedRange(0, bytes).slice(0);
  staging.unmap();
  staging.destroy();
  return out;
}

export async function readTensor(device: GPUDevice, t: Tensor): Promise<Float32Array> {
  return new Float32Array(await readRaw(device, t));
}

export async function readTensorU32(device: GPUDevice, t: Tensor): Promise<Uint32Array> {
  return new Uint32Array(await readRaw(device, t));
}

/**
 * A persistent staging buffer for small periodic reads (training metrics): one copy per tensor,
 * one map, nothing allocated per read.
 */
export class Readback {
  private staging: GPUBuffer;
  private offsets: number[] = [];

  constructor(private device: GPUDevice, private tensors: readonly Tensor[]) {
    let at = 0;
    for (const t of tensors) { this.offsets.push(at); at += round4(byteSize(t)); }
    this.staging = device.createBuffer({ size: Math.max(16, at), usage: 0x1 /* MAP_READ */ | 0x8 /* COPY_DST */, label: 'readback' });
  }

  async read(): Promise<ArrayBuffer[]> {
    const enc = this.device.createCommandEncoder();
    this.tensors.forEach((t, i) => enc.copyBufferToBuffer(t.buffer, t.offset, this.staging, this.offsets[i], byteSize(t)));
    this.device.queue.submit([enc.finish()]);
    await this.staging.mapAsync(0x1 /* READ */);
    const out = this.tensors.map((t, i) => this.staging.getMappedRange(this.offsets[i], round4(byteSize(t))).slice(0, byteSize(t)));
    this.staging.unmap();
    return out;
  }

  destroy(): void {
    this.staging.destroy();
  }
}

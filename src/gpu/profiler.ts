import type { Dispatch } from './dispatch.js';

export interface KernelTiming {
  kernel: string;
  /** Start of the span, ns after the first dispatch of the same collect(). */
  startNs: number;
  ns: number;
  flops: number;
  bytes: number;
}

/**
 * Per-dispatch GPU time from timestamp-query: each profiled dispatch gets a begin/end pair.
 * Spans that come back negative (clock resets, reordered timers) are dropped and counted in
 * `dropped`, never reported as real times; a zero span is a kernel below the timer's resolution.
 */
export class Profiler {
  private readonly capacity: number;
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuf: GPUBuffer;
  private readonly readBuf: GPUBuffer;
  private pending: Dispatch[] = [];
  private resolved: Dispatch[] = [];
  /** A collect() is mapping the read buffer: no resolve may copy into it until it is done. */
  private reading = false;
  dropped = 0;

  constructor(private device: GPUDevice, capacity = 2048) {
    this.capacity = capacity;
    this.querySet = device.createQuerySet({ type: 'timestamp', count: capacity * 2 });
    this.resolveBuf = device.createBuffer({ size: capacity * 16, usage: 0x200 /* QUERY_RESOLVE */ | 0x4 /* COPY_SRC */ });
    this.readBuf = device.createBuffer({ size: capacity * 16, usage: 0x1 /* MAP_READ */ | 0x8 /* COPY_DST */ });
  }

  timestampWrites(d: Dispatch): GPUComputePassTimestampWrites {
    const i = this.pending.length;
    if (i >= this.capacity) throw new Error(`profiler: more than ${this.capacity} dispatches before resolve()`);
    this.pending.push(d);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /**
   * Appends the query resolve to `enc`; call once per submit after the profiled passes. Results
   * nobody collected are superseded (a runner that never collects, such as evaluation on a
   * profiling context, resolves every run); only a collect() still reading them is an error.
   */
  resolve(enc: GPUCommandEncoder): void {
    const n = this.pending.length;
    if (!n) return;
    if (this.reading) throw new Error('profiler: resolve() while collect() is still reading the previous results');
    enc.resolveQuerySet(this.querySet, 0, 2 * n, this.resolveBuf, 0);
    enc.copyBufferToBuffer(this.resolveBuf, 0, this.readBuf, 0, 16 * n);
    this.resolved = this.pending;
    this.pending = [];
  }

  async collect(): Promise<KernelTiming[]> {
    const list = this.resolved;
    if (!list.length) return [];
    this.reading = true;
    let t: BigInt64Array;
    try {
      await this.readBuf.mapAsync(0x1 /* READ */, 0, 16 * list.length);
      t = new BigInt64Array(this.readBuf.getMappedRange(0, 16 * list.length).slice(0));
      this.readBuf.unmap();
    } finally {
      this.reading = false;
    }
    this.resolved = [];
    const out: KernelTiming[] = [];
    list.forEach((d, i) => {
      const ns = Number(t[2 * i + 1] - t[2 * i]);
      if (ns >= 0) out.push({ kernel: d.kernel, startNs: Number(t[2 * i] - t[0]), ns, flops: d.flops, bytes: d.bytes });
      else this.dropped++;
    });
    return out;
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuf.destroy();
    this.readBuf.destroy();
  }
}

// GPU time of a list of dispatches run once: timestamp-query around one compute pass where the
// adapter has it (Dawn's quantisation is off in Node, see gpu/node.ts), else the wall clock from
// submit to completion. For autotune; the per-kernel profiler is gpu/profiler.ts.
import type { GpuContext } from './context.js';
import { encodeOne, type Dispatch } from './dispatch.js';

function encodePass(enc: GPUCommandEncoder, list: readonly Dispatch[], timestampWrites?: GPUComputePassTimestampWrites): void {
  const pass = enc.beginComputePass(timestampWrites ? { timestampWrites } : {});
  for (const d of list) encodeOne(pass, d);
  pass.end();
}

/** Milliseconds for one run of `list`. */
export async function timeDispatches(ctx: GpuContext, list: readonly Dispatch[]): Promise<number> {
  const enc = ctx.device.createCommandEncoder();
  if (!ctx.hasTimestamps) {
    encodePass(enc, list);
    const t0 = performance.now();
    ctx.queue.submit([enc.finish()]);
    await ctx.queue.onSubmittedWorkDone();
    return performance.now() - t0;
  }
  // Made and freed per call: autotune is not a hot path, and training keeps no buffers it does not use.
  const qs = ctx.device.createQuerySet({ type: 'timestamp', count: 2 });
  const resolve = ctx.device.createBuffer({ size: 16, usage: 0x200 /* QUERY_RESOLVE */ | 0x4 /* COPY_SRC */ });
  const read = ctx.device.createBuffer({ size: 16, usage: 0x1 /* MAP_READ */ | 0x8 /* COPY_DST */ });
  try {
    encodePass(enc, list, { querySet: qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 });
    enc.resolveQuerySet(qs, 0, 2, resolve, 0);
    enc.copyBufferToBuffer(resolve, 0, read, 0, 16);
    ctx.queue.submit([enc.finish()]);
    await read.mapAsync(0x1 /* READ */);
    const [a, b] = new BigInt64Array(read.getMappedRange().slice(0));
    read.unmap();
    return Math.max(0, Number(b - a)) / 1e6;
  } finally {
    qs.destroy(); resolve.destroy(); read.destroy();
  }
}

// GPU time of a list of dispatches run once: timestamp-query around one compute pass where the
// adapter has it (Dawn's quantisation is off in Node, see gpu/node.ts), else the wall clock from
// submit to completion. For autotune; the per-kernel profiler is gpu/profiler.ts.
import type { GpuContext } from './context.js';
import type { Dispatch } from './dispatch.js';

const timers = new WeakMap<GPUDevice, { qs: GPUQuerySet; resolve: GPUBuffer; read: GPUBuffer }>();

function encodePass(enc: GPUCommandEncoder, list: readonly Dispatch[], timestampWrites?: GPUComputePassTimestampWrites): void {
  const pass = enc.beginComputePass(timestampWrites ? { timestampWrites } : {});
  for (const d of list) {
    if (d.grid[0] === 0) continue;
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(...d.grid);
  }
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
  let t = timers.get(ctx.device);
  if (!t) {
    t = {
      qs: ctx.device.createQuerySet({ type: 'timestamp', count: 2 }),
      resolve: ctx.device.createBuffer({ size: 16, usage: 0x200 /* QUERY_RESOLVE */ | 0x4 /* COPY_SRC */ }),
      read: ctx.device.createBuffer({ size: 16, usage: 0x1 /* MAP_READ */ | 0x8 /* COPY_DST */ }),
    };
    timers.set(ctx.device, t);
  }
  encodePass(enc, list, { querySet: t.qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 });
  enc.resolveQuerySet(t.qs, 0, 2, t.resolve, 0);
  enc.copyBufferToBuffer(t.resolve, 0, t.read, 0, 16);
  ctx.queue.submit([enc.finish()]);
  await t.read.mapAsync(0x1 /* READ */);
  const [a, b] = new BigInt64Array(t.read.getMappedRange().slice(0));
  t.read.unmap();
  return Math.max(0, Number(b - a)) / 1e6;
}

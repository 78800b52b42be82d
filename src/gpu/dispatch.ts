import type { GpuContext } from './context.js';

/** One recorded kernel launch; built once, encoded every step. */
export interface Dispatch {
  kernel: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  /** Group 1 of a bounds-checking context (gpu/bounds.ts): the kernel's violation counters. */
  boundsGroup?: GPUBindGroup | null;
  grid: [number, number, number];
  /** Work estimates for the profiler's GFLOP/s and GB/s columns. */
  flops: number;
  bytes: number;
}

/**
 * Workgroup grid for `count` workgroups within maxComputeWorkgroupsPerDimension. Kernels
 * rebuild the linear id as wg.x + wg.y * num_workgroups.x and skip ids past the end.
 */
export function grid(count: number, maxDim: number): [number, number, number] {
  if (count <= 0) return [0, 1, 1];
  if (count <= maxDim) return [count, 1, 1];
  const y = Math.ceil(count / maxDim);
  if (y > maxDim) throw new Error(`dispatch of ${count} workgroups exceeds ${maxDim}^2`);
  return [Math.ceil(count / y), y, 1];
}

export function grid1d(ctx: GpuContext, threads: number, wg: number): [number, number, number] {
  return grid(Math.ceil(threads / wg), ctx.limits.maxComputeWorkgroupsPerDimension);
}

/** Records one dispatch into a pass (nothing for an empty grid). */
export function encodeOne(pass: GPUComputePassEncoder, d: Dispatch): void {
  if (d.grid[0] === 0) return;
  pass.setPipeline(d.pipeline);
  pass.setBindGroup(0, d.bindGroup);
  if (d.boundsGroup) pass.setBindGroup(1, d.boundsGroup);
  pass.dispatchWorkgroups(...d.grid);
}

/** Encodes dispatches in order; with a profiler each gets its own timed pass. */
export function encodeDispatches(ctx: GpuContext, enc: GPUCommandEncoder, list: readonly Dispatch[]): void {
  const prof = ctx.profiler;
  if (!prof) {
    const pass = enc.beginComputePass();
    for (const d of list) encodeOne(pass, d);
    pass.end();
    return;
  }
  for (const d of list) {
    if (d.grid[0] === 0) continue;
    const pass = enc.beginComputePass({ timestampWrites: prof.timestampWrites(d) });
    encodeOne(pass, d);
    pass.end();
  }
}

/** Encodes, submits and waits; for tests and one-off work, not the training loop. */
export async function run(ctx: GpuContext, list: readonly Dispatch[]): Promise<void> {
  const enc = ctx.device.createCommandEncoder();
  encodeDispatches(ctx, enc, list);
  ctx.profiler?.resolve(enc);
  ctx.queue.submit([enc.finish()]);
  await ctx.queue.onSubmittedWorkDone();
}

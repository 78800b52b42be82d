// Measured ceilings of the adapter, to read kernel rates against: a large buffer copy (GB/s)
// and the best matmul we have at a large square size (GFLOP/s).
import type { GpuContext } from '../gpu/context.js';
import { createTensor } from '../gpu/buffers.js';
import { run } from '../gpu/dispatch.js';
import { matmul } from './matmul/family.js';

export interface Ceilings { copyGBs: number; copyBytes: number; matmulGFLOPs: number; matmulKernel: string; matmulSize: number }

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

export async function measureCeilings(ctx: GpuContext, opts: { copyMiB?: number; matmulSize?: number; reps?: number } = {}): Promise<Ceilings> {
  const prof = ctx.profiler;
  if (!prof) throw new Error(`${ctx.describe()}: no timestamp-query, so no ceilings`);
  const reps = opts.reps ?? 5, bytes = (opts.copyMiB ?? 64) * 2 ** 20, n = opts.matmulSize ?? 1024;
  // Copies are not compute passes, so they are timed by the queue: one submit of 4 copies per rep.
  const src = ctx.device.createBuffer({ size: bytes, usage: 0x4 | 0x8 }), dst = ctx.device.createBuffer({ size: bytes, usage: 0x4 | 0x8 });
  const copyMs: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const enc = ctx.device.createCommandEncoder();
    for (let k = 0; k < 4; k++) enc.copyBufferToBuffer(k % 2 ? dst : src, 0, k % 2 ? src : dst, 0, bytes);
    const t0 = performance.now();
    ctx.queue.submit([enc.finish()]);
    await ctx.queue.onSubmittedWorkDone();
    if (i) copyMs.push((performance.now() - t0) / 4);
  }
  src.destroy();
  dst.destroy();
  const A = createTensor(ctx.device, [n, n]), B = createTensor(ctx.device, [n, n]), C = createTensor(ctx.device, [n, n]);
  const d = await matmul(ctx, A, B, C, { version: 'v4' });
  const us: number[] = [];
  for (let i = 0; i <= reps; i++) {
    await run(ctx, [d]);
    const t = await prof.collect();
    if (i && t.length) us.push(t[0].ns / 1e3);
  }
  for (const t of [A, B, C]) t.buffer.destroy();
  d.uniform.destroy();
  // A copy reads and writes every byte.
  return { copyGBs: (2 * bytes) / (median(copyMs) * 1e6), copyBytes: bytes, matmulGFLOPs: d.flops / (median(us) * 1e3), matmulKernel: d.kernel, matmulSize: n };
}

export const formatCeilings = (c: Ceilings) =>
  `ceilings: buffer copy ${c.copyGBs.toFixed(2)} GB/s (${c.copyBytes / 2 ** 20} MiB, read + write), ${c.matmulKernel} ${c.matmulSize}^3 ${c.matmulGFLOPs.toFixed(2)} GFLOP/s`;

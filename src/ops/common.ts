import type { GpuContext } from '../gpu/context.js';
import { binding, numel, type Tensor } from '../gpu/buffers.js';
import { grid1d, type Dispatch } from '../gpu/dispatch.js';
import { kernel } from '../kernels/registry.js';

import type { Shape } from '../kernels/shapes.js';
export type { Shape };

/** A uniform block from u32/f32 fields, packed as 4-byte words and padded to 16 bytes. */
export function packUniform(fields: Array<number | { f: number }>): ArrayBuffer {
  const words = Math.max(4, Math.ceil(fields.length / 4) * 4);
  const buf = new ArrayBuffer(words * 4);
  const u = new Uint32Array(buf);
  const f = new Float32Array(buf);
  fields.forEach((v, i) => {
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`uniform field ${i}: ${v} is not a u32`);
      u[i] = v;
    } else f[i] = v.f;
  });
  return buf;
}

export interface DispatchSpec {
  uniform: ArrayBuffer;
  /** binding index -> tensor; index 0 is the uniform block. */
  tensors: Record<number, Tensor>;
  /** Total invocations for 1-D kernels, or an explicit workgroup grid. */
  threads?: number;
  grid?: [number, number, number];
  constants?: Record<string, number>;
  flops?: number;
  bytes?: number;
}

export interface OpDispatch extends Dispatch {
  uniform: GPUBuffer;
}

export async function makeDispatch(ctx: GpuContext, name: string, spec: DispatchSpec): Promise<OpDispatch> {
  const def = kernel(name);
  const pipeline = await ctx.pipelines.get(def, spec.constants);
  const uniform = ctx.device.createBuffer({ size: spec.uniform.byteLength, usage: 0x40 /* UNIFORM */ | 0x8 /* COPY_DST */, label: `${name}.params` });
  ctx.queue.writeBuffer(uniform, 0, spec.uniform);
  const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: uniform } }];
  for (const [k, t] of Object.entries(spec.tensors)) entries.push({ binding: Number(k), resource: binding(t) });
  const bindGroup = ctx.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries, label: name });
  const g = spec.grid ?? grid1d(ctx, spec.threads ?? 0, def.wg);
  let bytes = spec.bytes;
  if (bytes === undefined) bytes = Object.values(spec.tensors).reduce((s, t) => s + numel(t.shape) * 4, 0);
  return { kernel: name, pipeline, bindGroup, grid: g, flops: spec.flops ?? 0, bytes, uniform };
}

export { expectShape, expectRank, positiveInt, pair, type Pair } from '../kernels/shapes.js';

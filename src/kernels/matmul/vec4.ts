// The vec4 GEMM (shaders/matmul/v4_vec4.wgsl): matmul v4, and the GEMM passes of conv2d v3,
// which register the same shader under their own names with their own epilogue constants.
import type { GpuContext } from '../../gpu/context.js';
import { numel, type Tensor } from '../../gpu/buffers.js';
import vec4Source from '../../../shaders/matmul/v4_vec4.wgsl?raw';
import vec4B from '../../../shaders/matmul/vec4_b.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDef, type KernelDispatch } from '../contract.js';

export function vec4GemmKernel(name: string, constants: Record<string, number> = {}, partOf?: string): KernelDef {
  return kernelDef({
    name, file: 'matmul/v4_vec4.wgsl', source: vec4Source, include: [vec4B], entry: 'gemm',
    uniforms: ['M', 'N', 'K', 'KC', 'S', 'NJ', 'MR'], bindings: { A: 'read', B: 'read', C: 'read_write' },
    workgroup: [16, 4], constants, partOf,
  });
}

/** Why the vec4 loads cannot take these sizes, or null: they run along the contiguous axes. */
export function vec4Unsupported(M: number, N: number, K: number, transA = false, transB = false): string | null {
  if (K % 4) return `K=${K} is not a multiple of 4`;
  if (transA && M % 4) return `M=${M} is not a multiple of 4 (A is transposed)`;
  if (!transB && N % 4) return `N=${N} is not a multiple of 4 (B is not transposed)`;
  return null;
}

export interface GemmSpec {
  M: number; N: number; K: number;
  transA?: boolean; transB?: boolean; accumulate?: boolean;
  /** Split-K: C is [splits, M, N] and slice z sums k in [z*kc, z*kc + kc). */
  kc?: number;
  /** Conv epilogue: column j = n*S + s goes to C[(n*MR + m)*S + s] for m < MR, j < NJ. */
  nchw?: { S: number; NJ: number; MR: number };
  flops?: number;
}

/** Narrow outputs (a conv's few channels) get one row of blocks per workgroup, not four idle ones. */
export function vec4Grid(s: Pick<GemmSpec, 'M' | 'N' | 'K' | 'kc'>): { grid: [number, number, number]; workgroup: [number, number] } {
  const wgy = s.M <= 4 ? 1 : s.M <= 8 ? 2 : 4, wgx = 64 / wgy;
  const splits = Math.max(1, Math.ceil(s.K / (s.kc ?? s.K)));
  return { grid: [Math.ceil(s.N / (4 * wgx)), Math.ceil(s.M / (4 * wgy)), splits], workgroup: [wgx, wgy] };
}

/** Why A, B and C cannot hold the GEMM's operands (the shader indexes them by M, N and K alone), or null. */
function operandMismatch(A: Tensor, B: Tensor, C: Tensor, s: GemmSpec, splits: number): string | null {
  const o = s.nchw;
  if (o && o.NJ % o.S) return `its ${o.NJ} NCHW columns are not whole images of ${o.S} pixels`;
  const c = o ? [o.NJ * o.MR, `${o.NJ / o.S} images x ${o.MR} channels x ${o.S} pixels`] as const
    : [splits * s.M * s.N, `${splits > 1 ? `${splits} splits x M x N = ${splits} x ` : 'M x N = '}${s.M} x ${s.N}`] as const;
  const checks = [['A', A, s.M * s.K, `M x K = ${s.M} x ${s.K}`], ['B', B, s.K * s.N, `K x N = ${s.K} x ${s.N}`], ['C', C, ...c]] as const;
  for (const [what, t, want, dims] of checks) {
    const n = numel(t.shape);
    if (n !== want) return `${what} [${t.shape.join(', ')}] holds ${n} values; ${dims} needs ${want}`;
  }
  return null;
}

/** One dispatch of the vec4 GEMM under the contract's name (matmul.v4 or a conv2d v3 pass). */
export function gemmVec4(ctx: GpuContext, def: KernelDef, A: Tensor, B: Tensor, C: Tensor, s: GemmSpec): Promise<KernelDispatch> {
  const name = def.name;
  const why = vec4Unsupported(s.M, s.N, s.K, s.transA, s.transB);
  if (why) throw new Error(`${name}: ${why}`);
  const kc = s.kc ?? s.K;
  if (kc <= 0 || kc % 4) throw new Error(`${name}: split size ${kc} must be a positive multiple of 4`);
  const { grid, workgroup } = vec4Grid({ ...s, kc });
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  if (grid.some((g) => g > max)) throw new Error(`${name}: ${s.M}x${s.N} (${grid[2]} splits) needs more than ${max} workgroups per dimension`);
  const wrong = operandMismatch(A, B, C, s, grid[2]);
  if (wrong) throw new Error(`${name}: ${wrong}`);
  const nchw = s.nchw ?? { S: 1, NJ: 0, MR: 0 };
  return dispatchKernel(ctx, def, {
    uniforms: { M: s.M, N: s.N, K: s.K, KC: kc, ...nchw },
    bind: { A, B, C }, grid, workgroup,
    constants: { TRANS_A: s.transA ? 1 : 0, TRANS_B: s.transB ? 1 : 0, ACCUMULATE: s.accumulate ? 1 : 0, OUT_NCHW: s.nchw ? 1 : 0 },
    flops: s.flops ?? 2 * s.M * s.N * s.K,
  });
}

import type { GpuContext } from '../gpu/context.js';
import type { Tensor } from '../gpu/buffers.js';
import { kernel } from '../kernels/registry.js';
import { expectRank, expectShape, makeDispatch, packUniform, type OpDispatch } from './common.js';

export interface MatmulOpts {
  /** A is stored [K, M] and used transposed. */
  transA?: boolean;
  /** B is stored [N, K] and used transposed. */
  transB?: boolean;
  /** C += op(A) op(B) instead of C = ... */
  accumulate?: boolean;
  /** A registry version ('v1'..'v4'); by default v4 where its vec4 axes allow, else v3. */
  version?: string;
}

/** Why matmul.v4 cannot take these sizes, or null: its vec4 loads run along the contiguous axes. */
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

/** One dispatch of the vec4 GEMM under a registry name (matmul.v4 or a conv2d v3 pass). */
export function gemmVec4(ctx: GpuContext, name: string, A: Tensor, B: Tensor, C: Tensor, s: GemmSpec): Promise<OpDispatch> {
  const why = vec4Unsupported(s.M, s.N, s.K, s.transA, s.transB);
  if (why) throw new Error(`${name}: ${why}`);
  const kc = s.kc ?? s.K;
  if (kc <= 0 || kc % 4) throw new Error(`${name}: split size ${kc} must be a positive multiple of 4`);
  const splits = Math.max(1, Math.ceil(s.K / kc));
  // Narrow outputs (a conv's few channels) get one row of blocks per workgroup, not four idle ones.
  const wgy = s.M <= 4 ? 1 : s.M <= 8 ? 2 : 4, wgx = 64 / wgy;
  const grid: [number, number, number] = [Math.ceil(s.N / (4 * wgx)), Math.ceil(s.M / (4 * wgy)), splits];
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  if (grid.some((g) => g > max)) throw new Error(`${name}: ${s.M}x${s.N} (${splits} splits) needs more than ${max} workgroups per dimension`);
  const nchw = s.nchw ?? { S: 1, NJ: 0, MR: 0 };
  return makeDispatch(ctx, name, {
    uniform: packUniform([s.M, s.N, s.K, kc, nchw.S, nchw.NJ, nchw.MR, 0]),
    tensors: { 1: A, 2: B, 3: C },
    grid,
    constants: { TRANS_A: s.transA ? 1 : 0, TRANS_B: s.transB ? 1 : 0, ACCUMULATE: s.accumulate ? 1 : 0, OUT_NCHW: s.nchw ? 1 : 0, WGX: wgx, WGY: wgy },
    flops: s.flops ?? 2 * s.M * s.N * s.K,
  });
}

/** C[M,N] (+)= op(A)[M,K] * op(B)[K,N]. */
export function matmul(ctx: GpuContext, A: Tensor, B: Tensor, C: Tensor, opts: MatmulOpts = {}): Promise<OpDispatch> {
  expectRank('matmul A', A, 2);
  expectRank('matmul B', B, 2);
  const [M, KA] = opts.transA ? [A.shape[1], A.shape[0]] : [A.shape[0], A.shape[1]];
  const [KB, N] = opts.transB ? [B.shape[1], B.shape[0]] : [B.shape[0], B.shape[1]];
  if (KA !== KB) throw new Error(`matmul: inner dimensions differ (${KA} vs ${KB}) for A [${A.shape}]${opts.transA ? '^T' : ''} x B [${B.shape}]${opts.transB ? '^T' : ''}`);
  expectShape('matmul C', C, [M, N]);
  const version = opts.version ?? (vec4Unsupported(M, N, KA, opts.transA, opts.transB) ? 'v3' : 'v4');
  const name = `matmul.${version}`;
  if (version === 'v4') return gemmVec4(ctx, name, A, B, C, { M, N, K: KA, transA: opts.transA, transB: opts.transB, accumulate: opts.accumulate });
  const tile = kernel(name).wg;
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  const grid: [number, number, number] = [Math.ceil(N / tile), Math.ceil(M / tile), 1];
  if (grid[0] > max || grid[1] > max) throw new Error(`matmul: ${M}x${N} output needs more than ${max} workgroups per dimension`);
  return makeDispatch(ctx, name, {
    uniform: packUniform([M, N, KA, 0]),
    tensors: { 1: A, 2: B, 3: C },
    grid,
    constants: { TRANS_A: opts.transA ? 1 : 0, TRANS_B: opts.transB ? 1 : 0, ACCUMULATE: opts.accumulate ? 1 : 0 },
    flops: 2 * M * N * KA,
  });
}

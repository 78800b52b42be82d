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
  version?: string;
}

/** C[M,N] (+)= op(A)[M,K] * op(B)[K,N]. */
export function matmul(ctx: GpuContext, A: Tensor, B: Tensor, C: Tensor, opts: MatmulOpts = {}): Promise<OpDispatch> {
  expectRank('matmul A', A, 2);
  expectRank('matmul B', B, 2);
  const [M, KA] = opts.transA ? [A.shape[1], A.shape[0]] : [A.shape[0], A.shape[1]];
  const [KB, N] = opts.transB ? [B.shape[1], B.shape[0]] : [B.shape[0], B.shape[1]];
  if (KA !== KB) throw new Error(`matmul: inner dimensions differ (${KA} vs ${KB}) for A [${A.shape}]${opts.transA ? '^T' : ''} x B [${B.shape}]${opts.transB ? '^T' : ''}`);
  expectShape('matmul C', C, [M, N]);
  const name = `matmul.${opts.version ?? 'v3'}`;
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

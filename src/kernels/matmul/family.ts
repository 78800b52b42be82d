// matmul: C[M,N] (+)= op(A)[M,K] op(B)[K,N], with A or B optionally stored transposed (the dense
// layer and both of its gradients). Versions: v1 naive, v2 shared-memory tiles, v3 4x4 register
// blocks, v4 vec4 loads with 4x4 blocks; v5 (vec4) and v6 (any size) also fuse a dense layer's
// bias, ReLU, ReLU masks and bias gradient (fused.ts). Adding a version: its WGSL file and one entry below.
import type { GpuContext } from '../../gpu/context.js';
import type { Tensor } from '../../gpu/buffers.js';
import v1Source from '../../../shaders/matmul/v1_naive.wgsl?raw';
import v2Source from '../../../shaders/matmul/v2_tiled.wgsl?raw';
import v3Source from '../../../shaders/matmul/v3_blocked.wgsl?raw';
import sizes from '../../../shaders/matmul/sizes.wgsl?raw';
import operands from '../../../shaders/matmul/operands.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDef, type KernelDispatch } from '../contract.js';
import { pow2, versionNamed, type Family, type Limits, type Version } from '../family.js';
import { expectRank, expectShape } from '../shapes.js';
import { gemmVec4, vec4GemmKernel, vec4Unsupported } from './vec4.js';
import { encodeFused, fusedUnfit, fuseWords, plainOnly, V5, V6, type FuseTensors, type MatmulShape } from './fused.js';

export type { MatmulShape };
export interface MatmulOpts {
  transA?: boolean; transB?: boolean; accumulate?: boolean; version?: string;
  /** Epilogue: C = op(A) op(B) + bias[n] ([N]), then max(., 0) with relu. */
  bias?: Tensor; relu?: boolean;
  /** Prologue: A read through ReLU's backward mask, where this tensor (A's shape) is > 0. */
  maskBy?: Tensor;
  /** Epilogue: the result stored through ReLU's backward mask, where this tensor (C's shape) is > 0. */
  maskOut?: Tensor;
  /** Also rowSums[m] (+)= sum_k op(A)[m,k] ([M]): a dense layer's bias gradient. */
  rowSums?: Tensor;
}

export interface MatmulVersion extends Version<MatmulShape> {
  encode(ctx: GpuContext, A: Tensor, B: Tensor, C: Tensor, s: MatmulShape, accumulate: boolean, io?: FuseTensors): Promise<KernelDispatch>;
}

const CONTRACT = { include: [sizes, operands], uniforms: ['M', 'N', 'K'], bindings: { A: 'read', B: 'read', C: 'read_write' } } as const;

/** A kernel of (wx, wy) workgroups in which each invocation computes per x per outputs. */
function tiledVersion(name: string, summary: string, def: KernelDef, per: number): MatmulVersion {
  const [wx, wy] = def.workgroup as [number, number];
  const grid = (s: MatmulShape): [number, number, number] => [Math.ceil(s.N / (wx * per)), Math.ceil(s.M / (wy * per)), 1];
  return {
    name, summary, kernels: [def],
    unfit: (s, limits) => {
      const g = grid(s);
      return plainOnly(s) ?? (g[0] > limits.maxComputeWorkgroupsPerDimension || g[1] > limits.maxComputeWorkgroupsPerDimension
        ? `its ${g[0]}x${g[1]} workgroup grid exceeds ${limits.maxComputeWorkgroupsPerDimension} per dimension` : null);
    },
    encode: (ctx, A, B, C, s, accumulate) => dispatchKernel(ctx, def, {
      uniforms: { M: s.M, N: s.N, K: s.K }, bind: { A, B, C }, grid: grid(s),
      constants: { TRANS_A: s.transA ? 1 : 0, TRANS_B: s.transB ? 1 : 0, ACCUMULATE: accumulate ? 1 : 0 }, flops: 2 * s.M * s.N * s.K,
    }),
  };
}

const V4 = vec4GemmKernel('matmul.v4');

export const matmulFamily: Family<MatmulShape, MatmulVersion> = {
  name: 'matmul',
  versions: [
    tiledVersion('v1', 'one invocation per output', kernelDef({ name: 'matmul.v1', file: 'matmul/v1_naive.wgsl', source: v1Source, entry: 'naive', workgroup: [8, 8], ...CONTRACT }), 1),
    tiledVersion('v2', '16x16 tiles staged in workgroup memory', kernelDef({ name: 'matmul.v2', file: 'matmul/v2_tiled.wgsl', source: v2Source, entry: 'tiled', workgroup: [16, 16], ...CONTRACT }), 1),
    tiledVersion('v3', '4x4 outputs per invocation in registers', kernelDef({ name: 'matmul.v3', file: 'matmul/v3_blocked.wgsl', source: v3Source, entry: 'blocked', workgroup: [8, 8], ...CONTRACT }), 4),
    {
      name: 'v4', summary: 'vec4 loads along the contiguous axes, 4x4 blocks (needs multiples of 4 there)', kernels: [V4],
      unfit: (s: MatmulShape, limits: Limits) => plainOnly(s) ?? vec4Unsupported(s.M, s.N, s.K, s.transA, s.transB) ?? gridUnfit(s, limits),
      encode: (ctx, A, B, C, s, accumulate) => gemmVec4(ctx, V4, A, B, C, { ...s, accumulate }),
    },
    {
      name: 'v5', summary: 'v4 with a fused bias/ReLU epilogue, ReLU-masked A and bias-gradient row sums (needs v4\'s multiples of 4)', kernels: [V5.gemm, V5.sums],
      unfit: (s, limits) => fusedUnfit(V5, s, limits),
      encode: (ctx, A, B, C, s, accumulate, io) => encodeFused(ctx, V5, A, B, C, s, accumulate, io),
    },
    {
      name: 'v6', summary: 'v5\'s fusions at any size: scalar loads, a 4x4 block in named registers', kernels: [V6.gemm, V6.sums],
      unfit: (s, limits) => fusedUnfit(V6, s, limits),
      encode: (ctx, A, B, C, s, accumulate, io) => encodeFused(ctx, V6, A, B, C, s, accumulate, io),
    },
  ],
  order: ['v4', 'v5', 'v6', 'v3', 'v2', 'v1'],
  bucket: (s) => `${pow2(s.M)}x${pow2(s.K)}x${pow2(s.N)}${s.transA ? ' At' : ''}${s.transB ? ' Bt' : ''} ${[s.M, s.N, s.K].map((d) => (d % 4 ? 'u' : 'a')).join('')}${fuseWords(s.fuse) ? ` +${fuseWords(s.fuse)}` : ''}`,
  describe: (s) => `[${s.M}x${s.K}]${s.transA ? '(A^T)' : ''} x [${s.K}x${s.N}]${s.transB ? '(B^T)' : ''}${fuseWords(s.fuse) ? ` with ${fuseWords(s.fuse)}` : ''}`,
  trial: async (ctx, v, s, { rand, out }) => {
    const f = s.fuse ?? {}, aShape = s.transA ? [s.K, s.M] : [s.M, s.K];
    const io = { y: f.maskA ? rand(aShape) : undefined, bias: f.bias ? rand([s.N]) : undefined, z: f.maskC ? rand([s.M, s.N]) : undefined, sums: f.rowSums ? out([s.M]) : undefined };
    return [await v.encode(ctx, rand(aShape), rand(s.transB ? [s.N, s.K] : [s.K, s.N]), out([s.M, s.N]), s, false, io)];
  },
  benchShape: (z) => ({ M: z.M, N: z.Nm, K: z.Kd, transA: false, transB: false }),
  // A dense layer's fused forward, and its weight gradient with ReLU's mask and the bias gradient.
  benchVariants: (z) => [
    { label: 'bias+relu', shape: { M: z.M, N: z.Nm, K: z.Kd, transA: false, transB: true, fuse: { bias: true, relu: true } } },
    { label: 'mask+row sums', shape: { M: z.M, N: z.Nm, K: z.Kd, transA: true, transB: false, fuse: { maskA: true, rowSums: true } } },
  ],
};

function gridUnfit(s: MatmulShape, limits: Limits): string | null {
  const g = Math.max(Math.ceil(s.N / 64), Math.ceil(s.M / 16));
  return g > limits.maxComputeWorkgroupsPerDimension ? `its workgroup grid exceeds ${limits.maxComputeWorkgroupsPerDimension} per dimension` : null;
}

/** The shape of C = op(A) op(B), checked; throws on mismatched operands. */
export function matmulShape(A: Tensor, B: Tensor, C: Tensor, opts: MatmulOpts = {}): MatmulShape {
  expectRank('matmul A', A, 2);
  expectRank('matmul B', B, 2);
  const transA = Boolean(opts.transA), transB = Boolean(opts.transB);
  const [M, KA] = transA ? [A.shape[1], A.shape[0]] : [A.shape[0], A.shape[1]];
  const [KB, N] = transB ? [B.shape[1], B.shape[0]] : [B.shape[0], B.shape[1]];
  if (KA !== KB) throw new Error(`matmul: inner dimensions differ (${KA} vs ${KB}) for A [${A.shape}]${transA ? '^T' : ''} x B [${B.shape}]${transB ? '^T' : ''}`);
  expectShape('matmul C', C, [M, N]);
  if (opts.bias) expectShape('matmul bias', opts.bias, [N]);
  if (opts.maskBy) expectShape('matmul ReLU mask', opts.maskBy, A.shape);
  if (opts.maskOut) expectShape('matmul output ReLU mask', opts.maskOut, [M, N]);
  if (opts.rowSums) expectShape('matmul row sums', opts.rowSums, [M]);
  const fuse = { maskA: Boolean(opts.maskBy), bias: Boolean(opts.bias), relu: Boolean(opts.relu), maskC: Boolean(opts.maskOut), rowSums: Boolean(opts.rowSums) };
  return { M, N, K: KA, transA, transB, ...(fuseWords(fuse) ? { fuse } : {}) };
}

/**
 * C[M,N] (+)= op(A) op(B), with what `opts` fuses (bias, relu, maskBy, rowSums), by the version
 * the context's policy chooses (or `opts.version`).
 */
export function matmul(ctx: GpuContext, A: Tensor, B: Tensor, C: Tensor, opts: MatmulOpts = {}): Promise<KernelDispatch> {
  const s = matmulShape(A, B, C, opts);
  const io: FuseTensors = { y: opts.maskBy, bias: opts.bias, z: opts.maskOut, sums: opts.rowSums };
  if (opts.version) {
    const v = versionNamed(matmulFamily, opts.version);
    const why = v.unfit(s, ctx.limits);
    if (why) throw new Error(`matmul.${v.name}: ${why}`);
    return v.encode(ctx, A, B, C, s, Boolean(opts.accumulate), io);
  }
  return ctx.select.choose(ctx, matmulFamily, s).then((v) => v.encode(ctx, A, B, C, s, Boolean(opts.accumulate), io));
}

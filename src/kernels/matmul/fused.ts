// The matmul versions with a fused prologue and epilogue (shaders/matmul/v5_fused.wgsl, vec4
// loads; v6_fused_any.wgsl, scalar loads at any size): a dense layer's forward (bias, ReLU) and
// both gradients (ReLU's mask on the output gradient as it is loaded, or on the input gradient
// as it is stored; the bias gradient as row sums) in one dispatch each. What a GEMM fuses is part
// of its shape, so autotune times versions on the same work and the older versions are unfit for
// a fused shape.
import type { GpuContext } from '../../gpu/context.js';
import { numel, type Tensor } from '../../gpu/buffers.js';
import v5Source from '../../../shaders/matmul/v5_fused.wgsl?raw';
import v6Source from '../../../shaders/matmul/v6_fused_any.wgsl?raw';
import sizes from '../../../shaders/matmul/sizes.wgsl?raw';
import vec4B from '../../../shaders/matmul/vec4_b.wgsl?raw';
import operands from '../../../shaders/matmul/operands.wgsl?raw';
import fusedSource from '../../../shaders/matmul/fused.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDef, type KernelDispatch } from '../contract.js';
import type { Limits } from '../family.js';
import { vec4Grid, vec4Unsupported } from './vec4.js';

/** What a GEMM does besides C = op(A) op(B); every field off when absent. */
export interface MatmulFuse {
  /** A is read through ReLU's backward mask: an element counts only where Y (stored like A) is > 0. */
  maskA?: boolean;
  /** C = op(A) op(B) + bias[n]. */
  bias?: boolean;
  /** C = max(C, 0) after the bias. */
  relu?: boolean;
  /** The result counts only where Z (stored like C) is > 0: ReLU's backward mask applied on store. */
  maskC?: boolean;
  /** sums[m] (+)= sum_k op(A)[m,k] (masked): the bias gradient, a column of ones appended to op(B). */
  rowSums?: boolean;
}

export interface MatmulShape { M: number; N: number; K: number; transA: boolean; transB: boolean; fuse?: MatmulFuse }

/** The tensors a fused shape reads or writes besides A, B and C. */
export interface FuseTensors { y?: Tensor; bias?: Tensor; z?: Tensor; sums?: Tensor }

const FLAGS: ReadonlyArray<[keyof MatmulFuse, string]> = [['maskA', 'A masked by ReLU'], ['bias', 'bias'], ['relu', 'ReLU'], ['maskC', 'C masked by ReLU'], ['rowSums', 'row sums']];

/** The fused parts in words ('' when none), for describe() and errors. */
export function fuseWords(f: MatmulFuse | undefined): string {
  return FLAGS.filter(([k]) => f?.[k]).map(([, w]) => w).join(', ');
}

/** Why a version without prologue or epilogue cannot take `s`, or null. */
export function plainOnly(s: MatmulShape): string | null {
  const w = fuseWords(s.fuse);
  return w ? `it fuses nothing into the GEMM (asked for: ${w}); v5 and v6 do` : null;
}

/** A version's two entries: the GEMM, and the GEMM that also writes the row sums. */
export interface FusedKernels { gemm: KernelDef; sums: KernelDef; vec4: boolean }

/** include: the shared WGSL put before the version's own (sizes.wgsl, operands.wgsl for v6, then fused.wgsl). */
function fused(v: string, file: string, source: string, include: readonly string[], workgroup: [number, number], vec4: boolean): FusedKernels {
  const bindings = { A: 'read', B: 'read', C: 'read_write', Y: 'read', bias: 'read', Z: 'read' } as const;
  const def = (name: string, entry: string, extra = {}) => kernelDef({ name, file, source, include, entry, uniforms: ['M', 'N', 'K'], workgroup, bindings: { ...bindings, ...extra } });
  return { gemm: def(`matmul.${v}`, 'gemm'), sums: def(`matmul.sums.${v}`, 'gemm_sums', { sums: 'read_write' }), vec4 };
}
export const V5 = fused('v5', 'matmul/v5_fused.wgsl', v5Source, [sizes, vec4B, fusedSource], [16, 4], true);
export const V6 = fused('v6', 'matmul/v6_fused_any.wgsl', v6Source, [sizes, operands, fusedSource], [8, 8], false);

/** v5's grid follows v4's (narrow outputs get one row of blocks per workgroup); v6 takes 8x8 blocks of 4x4. */
function layout(k: FusedKernels, s: MatmulShape): { grid: [number, number, number]; workgroup: [number, number] } {
  if (k.vec4) return vec4Grid(s);
  return { grid: [Math.ceil(s.N / 32), Math.ceil(s.M / 32), 1], workgroup: [8, 8] };
}

export function fusedUnfit(k: FusedKernels, s: MatmulShape, limits: Limits): string | null {
  const why = k.vec4 ? vec4Unsupported(s.M, s.N, s.K, s.transA, s.transB) : null;
  if (why) return why;
  const g = layout(k, s).grid, max = limits.maxComputeWorkgroupsPerDimension;
  return g[0] > max || g[1] > max ? `its ${g[0]}x${g[1]} workgroup grid exceeds ${max} per dimension` : null;
}

/** One dispatch of v5 or v6; an unused Y, bias or Z is bound to A and never read. */
export function encodeFused(ctx: GpuContext, k: FusedKernels, A: Tensor, B: Tensor, C: Tensor, s: MatmulShape, accumulate: boolean, io: FuseTensors = {}): Promise<KernelDispatch> {
  const f = s.fuse ?? {}, def = f.rowSums ? k.sums : k.gemm;
  const need = (on: boolean | undefined, t: Tensor | undefined, what: string) => {
    if (on && !t) throw new Error(`${def.name}: the shape fuses ${what} but no tensor was given`);
    if (!on && t) throw new Error(`${def.name}: a ${what} tensor was given but the shape does not fuse it`);
  };
  need(f.maskA, io.y, 'the ReLU mask');
  need(f.bias, io.bias, 'a bias');
  need(f.maskC, io.z, 'the ReLU mask of C');
  need(f.rowSums, io.sums, 'row sums');
  if (accumulate && (f.bias || f.relu)) throw new Error(`${def.name}: accumulating into C does not combine with a bias or ReLU epilogue`);
  const { grid, workgroup } = layout(k, s);
  // Each tensor it binds for real, once (the engine's convention; dummies are not traffic).
  const bytes = 4 * [A, B, C, io.y, io.bias, io.z, io.sums].reduce((t, x) => t + (x ? numel(x.shape) : 0), 0);
  return dispatchKernel(ctx, def, {
    uniforms: { M: s.M, N: s.N, K: s.K },
    bind: { A, B, C, Y: io.y ?? A, bias: io.bias ?? A, Z: io.z ?? A, ...(io.sums ? { sums: io.sums } : {}) }, grid, workgroup,
    constants: {
      TRANS_A: s.transA ? 1 : 0, TRANS_B: s.transB ? 1 : 0, ACCUMULATE: accumulate ? 1 : 0,
      MASK_A: f.maskA ? 1 : 0, BIAS: f.bias ? 1 : 0, RELU: f.relu ? 1 : 0, MASK_C: f.maskC ? 1 : 0,
    },
    flops: 2 * s.M * s.N * s.K + (f.rowSums ? s.M * s.K : 0) + (f.bias ? s.M * s.N : 0), bytes,
  });
}

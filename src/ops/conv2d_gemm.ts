// conv2d v3: im2col + the vec4 GEMM (conv2d_gemm.wgsl, matmul_vec4.wgsl), any stride and padding.
// One Conv2dV3 per layer owns its scratch: the forward's im2col matrix stays for the weight
// gradient, and the packed output gradient serves both backward GEMMs.
import type { GpuContext } from '../gpu/context.js';
import type { Tensor } from '../gpu/buffers.js';
import { conv2dGeom, type Conv2dArgs, type Conv2dGeom } from './conv2d.js';
import { expectShape, makeDispatch, packUniform, type OpDispatch } from './common.js';
import { gemmVec4, vec4GemmKernel } from '../kernels/matmul/vec4.js';

const FWD = vec4GemmKernel('conv2d.fwd.v3', { OUT_NCHW: 1 });
const BWD_INPUT = vec4GemmKernel('conv2d.bwd_input.v3', { TRANS_A: 1 });
const BWD_WEIGHT = vec4GemmKernel('conv2d.bwd_weight.v3', { TRANS_B: 1 });
export const CONV_GEMM_KERNELS = [FWD, BWD_INPUT, BWD_WEIGHT];

const ceil4 = (n: number) => Math.ceil(n / 4) * 4;

export interface GemmGeom extends Conv2dGeom {
  /** Taps C*KH*KW, outputs N*OH*OW, and the padded GEMM sizes (row CKK carries the bias). */
  CKK: number; NJ: number; KP: number; NP: number; KOP: number;
  /** Weight-gradient split-K: Z slices of KC columns each. */
  Z: number; KC: number;
}

export function gemmGeom(xShape: readonly number[], wShape: readonly number[], args: Conv2dArgs = {}): GemmGeom {
  const g = conv2dGeom(xShape, wShape, args);
  const CKK = g.C * g.KH * g.KW, NJ = g.N * g.OH * g.OW;
  const KP = ceil4(CKK + 1), NP = ceil4(NJ), KOP = ceil4(g.K);
  // Enough independent blocks to fill a device (~2,048), but slices of at least 256 columns.
  const blocks = (KOP / 4) * (KP / 4);
  const want = Math.max(1, Math.min(Math.ceil(2048 / blocks), Math.ceil(NP / 256)));
  const KC = ceil4(Math.ceil(NP / want));
  return { ...g, CKK, NJ, KP, NP, KOP, KC, Z: Math.ceil(NP / KC) };
}

export const gemmScratchShapes = (q: GemmGeom) => ({
  col: [q.KP, q.NP], wp: [q.KOP, q.KP], dyp: [q.KOP, q.NP], dcol: [q.KP, q.NP], part: [q.Z, q.KOP, q.KP],
});

/** Null when v3 fits this device, else why not (its scratch exceeds a binding or buffer limit). */
export function conv2dV3Unfit(ctx: GpuContext, q: GemmGeom): string | null {
  const max = Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize);
  for (const [name, shape] of Object.entries(gemmScratchShapes(q))) {
    const bytes = shape.reduce((a, b) => a * b, 4);
    if (bytes > max) return `its ${name} scratch [${shape.join(', ')}] needs ${bytes} bytes, over the device's ${max}`;
  }
  return null;
}

export type Alloc = (shape: readonly number[]) => Tensor;

export class Conv2dV3 {
  readonly q: GemmGeom;
  private sh: ReturnType<typeof gemmScratchShapes>;
  private s: { col: Tensor; wp: Tensor; dyp?: Tensor; dcol?: Tensor; part?: Tensor };
  private u: ArrayBuffer;

  constructor(private ctx: GpuContext, xShape: readonly number[], wShape: readonly number[], args: Conv2dArgs, private alloc: Alloc) {
    this.q = gemmGeom(xShape, wShape, args);
    const unfit = conv2dV3Unfit(ctx, this.q);
    if (unfit) throw new Error(`conv2d v3: ${unfit}; use v2`);
    this.sh = gemmScratchShapes(this.q);
    this.s = { col: alloc(this.sh.col), wp: alloc(this.sh.wp) };
    const q = this.q;
    this.u = packUniform([q.N, q.C, q.H, q.W, q.K, q.KH, q.KW, q.OH, q.OW, q.SH, q.SW, q.PH, q.PW, q.CKK, q.KP, q.NP, q.KOP, q.Z, 0, 0]);
  }

  private pass(name: string, tensors: Record<number, Tensor>, threads: number, accumulate = false): Promise<OpDispatch> {
    return makeDispatch(this.ctx, name, { uniform: this.u, tensors, threads, constants: { ACCUMULATE: accumulate ? 1 : 0 } });
  }

  private get yShape() { return [this.q.N, this.q.K, this.q.OH, this.q.OW]; }
  private get macs() { return this.q.NJ * this.q.K * this.q.CKK; }

  /** y = conv(x, w) + b: pack the weights with the bias, im2col, one GEMM writing NCHW. */
  async forward(x: Tensor, w: Tensor, b: Tensor, y: Tensor): Promise<OpDispatch[]> {
    const q = this.q;
    expectShape('conv2d input', x, [q.N, q.C, q.H, q.W]);
    expectShape('conv2d weight', w, [q.K, q.C, q.KH, q.KW]);
    expectShape('conv2d bias', b, [q.K]);
    expectShape('conv2d output', y, this.yShape);
    return [
      await this.pass('conv2d.pack_weight.v3', { 1: w, 2: b, 3: this.s.wp }, q.KOP * q.KP),
      await this.pass('conv2d.im2col.v3', { 1: x, 3: this.s.col }, q.NP / 4),
      await gemmVec4(this.ctx, FWD, this.s.wp, this.s.col, y, {
        M: q.KOP, N: q.NP, K: q.KP, nchw: { S: q.OH * q.OW, NJ: q.NJ, MR: q.K }, flops: 2 * this.macs,
      }),
    ];
  }

  /** Packs dy [N,K,OH,OW] as [KOP, NP] for both backward GEMMs; run once before them. */
  packGrad(dy: Tensor): Promise<OpDispatch> {
    expectShape('conv2d grad output', dy, this.yShape);
    this.s.dyp ??= this.alloc(this.sh.dyp);
    return this.pass('conv2d.pack_grad.v3', { 1: dy, 3: this.s.dyp }, this.q.NP);
  }

  private need(what: 'dyp' | 'part'): Tensor {
    const t = this.s[what];
    if (!t) throw new Error(`conv2d v3: ${what === 'dyp' ? 'packGrad' : 'weightGemm'} must come first`);
    return t;
  }

  /** dx (+)= conv_transpose(dy, w): dcol = wp^T dyp, then col2im gathers each input's taps. */
  async backwardInput(dx: Tensor, opts: { accumulate?: boolean } = {}): Promise<OpDispatch[]> {
    const q = this.q;
    expectShape('conv2d grad input', dx, [q.N, q.C, q.H, q.W]);
    const dyp = this.need('dyp');
    this.s.dcol ??= this.alloc(this.sh.dcol);
    return [
      await gemmVec4(this.ctx, BWD_INPUT, this.s.wp, dyp, this.s.dcol, { M: q.KP, N: q.NP, K: q.KOP, transA: true, flops: 2 * this.macs }),
      await this.pass('conv2d.col2im.v3', { 1: this.s.dcol, 3: dx }, q.N * q.C * q.H * q.W, opts.accumulate),
    ];
  }

  /** part[z] = dyp[:, slice z] col[:, slice z]^T: weight and bias gradients, split over the batch. */
  weightGemm(): Promise<OpDispatch> {
    const q = this.q;
    const dyp = this.need('dyp');
    this.s.part ??= this.alloc(this.sh.part);
    return gemmVec4(this.ctx, BWD_WEIGHT, dyp, this.s.col, this.s.part, { M: q.KOP, N: q.KP, K: q.NP, transB: true, kc: q.KC, flops: 2 * this.macs });
  }

  /** dw (+)= the sum of the weightGemm slices. */
  unpackWeight(dw: Tensor, opts: { accumulate?: boolean } = {}): Promise<OpDispatch> {
    expectShape('conv2d grad weight', dw, [this.q.K, this.q.C, this.q.KH, this.q.KW]);
    return this.pass('conv2d.unpack_weight.v3', { 1: this.need('part'), 3: dw }, this.q.K * this.q.CKK, opts.accumulate);
  }

  /** db (+)= the bias column of the weightGemm slices. */
  unpackBias(db: Tensor, opts: { accumulate?: boolean } = {}): Promise<OpDispatch> {
    expectShape('conv2d grad bias', db, [this.q.K]);
    return this.pass('conv2d.unpack_bias.v3', { 1: this.need('part'), 3: db }, this.q.K, opts.accumulate);
  }
}

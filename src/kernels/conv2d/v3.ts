// conv2d v3: im2col + the vec4 GEMM (shaders/conv2d/v3_gemm.wgsl around matmul/v4_vec4.wgsl), any
// stride and padding. Stateful per layer: the forward's im2col matrix and packed weights stay for
// the backward (private to the layer; in a forward-only graph they die with the forward, so they
// come from the arena's forward region), and the packed output gradient serves both backward
// GEMMs. Every gradient accumulates.
import type { Tensor } from '../../gpu/buffers.js';
import { layerScratch, type Scratch } from '../../gpu/arena.js';
import type { Dispatch } from '../../gpu/dispatch.js';
import source from '../../../shaders/conv2d/v3_gemm.wgsl?raw';
import params from '../../../shaders/conv2d/params.wgsl?raw';
import index from '../../../shaders/common/index.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDef } from '../contract.js';
import type { Limits } from '../family.js';
import { gemmVec4, vec4GemmKernel, vec4Grid, type GemmSpec } from '../matmul/vec4.js';
import { CONV_UNIFORMS, convUniforms, flatGridUnfit, scratchUnfit, type Conv2dGeom } from './geometry.js';
import { BasePlan, fitOrThrow, type Conv2dVersion, type Grads } from './plan.js';

const WG = 64;
const pass = (name: string, entry: string, bindings: KernelDef['bindings'], partOf: string) =>
  kernelDef({ name, file: 'conv2d/v3_gemm.wgsl', source, include: [params, index], entry, uniforms: CONV_UNIFORMS, bindings, workgroup: WG, partOf });

const IM2COL = pass('conv2d.im2col.v3', 'im2col', { x: 'read', col: 'read_write' }, 'conv2d.fwd.v3');
const PACK_W = pass('conv2d.pack_weight.v3', 'pack_w', { w: 'read', bias: 'read', wp: 'read_write' }, 'conv2d.fwd.v3');
const PACK_DY = pass('conv2d.pack_grad.v3', 'pack_dy', { dy: 'read', dyp: 'read_write' }, 'conv2d.bwd_input.v3');
const COL2IM = pass('conv2d.col2im.v3', 'col2im', { dcol: 'read', dx: 'read_write' }, 'conv2d.bwd_input.v3');
const UNPACK_W = pass('conv2d.unpack_weight.v3', 'unpack_w', { part: 'read', dw: 'read_write' }, 'conv2d.bwd_weight.v3');
const UNPACK_B = pass('conv2d.unpack_bias.v3', 'unpack_b', { part: 'read', db: 'read_write' }, 'conv2d.bwd_weight.v3');
const FWD = vec4GemmKernel('conv2d.fwd.v3', { OUT_NCHW: 1 });
const BWD_INPUT = vec4GemmKernel('conv2d.bwd_input.v3', { TRANS_A: 1 });
const BWD_WEIGHT = vec4GemmKernel('conv2d.bwd_weight.v3', { TRANS_B: 1 });

const ceil4 = (n: number) => Math.ceil(n / 4) * 4;

export interface GemmGeom extends Conv2dGeom {
  /** Taps C*KH*KW, outputs N*OH*OW, and the padded GEMM sizes (row CKK carries the bias). */
  CKK: number; NJ: number; KP: number; NP: number; KOP: number;
  /** Weight-gradient split-K: Z slices of KC columns each. */
  Z: number; KC: number;
}

export function gemmGeom(g: Conv2dGeom): GemmGeom {
  const CKK = g.C * g.KH * g.KW, NJ = g.N * g.OH * g.OW;
  const KP = ceil4(CKK + 1), NP = ceil4(NJ), KOP = ceil4(g.K);
  // Enough independent blocks to fill a device (~2,048), but slices of at least 256 columns.
  const blocks = (KOP / 4) * (KP / 4);
  const want = Math.max(1, Math.min(Math.ceil(2048 / blocks), Math.ceil(NP / 256)));
  const KC = ceil4(Math.ceil(NP / want));
  return { ...g, CKK, NJ, KP, NP, KOP, KC, Z: Math.ceil(NP / KC) };
}

const scratchShapes = (q: GemmGeom) => ({ col: [q.KP, q.NP], wp: [q.KOP, q.KP], dyp: [q.KOP, q.NP], dcol: [q.KP, q.NP], part: [q.Z, q.KOP, q.KP] });
const macs = (q: GemmGeom) => q.NJ * q.K * q.CKK;

/** The three GEMMs of a layer. */
function gemms(q: GemmGeom): Record<'forward' | 'input-gradient' | 'weight-gradient', GemmSpec> {
  return {
    forward: { M: q.KOP, N: q.NP, K: q.KP, nchw: { S: q.OH * q.OW, NJ: q.NJ, MR: q.K }, flops: 2 * macs(q) },
    'input-gradient': { M: q.KP, N: q.NP, K: q.KOP, transA: true, flops: 2 * macs(q) },
    'weight-gradient': { M: q.KOP, N: q.KP, K: q.NP, transB: true, kc: q.KC, flops: 2 * macs(q) },
  };
}

/**
 * The largest scratch v3 has run with: SwiftShader's 1 GiB binding limit. A GPU's limits allow far
 * more (the cnn preset's second convolution at batch 2048 wants a 1.9 GB im2col matrix), untested
 * until it has run on one; until then v2, which needs no such matrix, takes those shapes.
 */
export const V3_TESTED_BYTES = 2 ** 30;

/** Why v3 cannot take g: a scratch over the binding/buffer limit or the tested size, or a GEMM grid over the per-dimension limit. */
function unfit(g: Conv2dGeom, limits: Limits): string | null {
  const q = gemmGeom(g), max = limits.maxComputeWorkgroupsPerDimension;
  for (const [name, shape] of Object.entries(scratchShapes(q))) {
    const why = scratchUnfit(name, shape, limits);
    if (why) return why;
    const bytes = shape.reduce((a, b) => a * b, 4);
    if (bytes > V3_TESTED_BYTES) return `its ${name} scratch [${shape.join(', ')}] needs ${bytes} bytes, over the ${V3_TESTED_BYTES} (1 GiB) it is tested with`;
  }
  for (const [name, s] of Object.entries(gemms(q))) {
    const { grid } = vec4Grid(s);
    if (grid.some((n) => n > max)) return `its ${name} GEMM [${s.M}x${s.N}] needs a ${grid.join(' x ')} workgroup grid, over the device's ${max} per dimension`;
  }
  return flatGridUnfit('im2col', q.NP / 4, WG, limits) ?? flatGridUnfit('col2im', g.N * g.C * g.H * g.W, WG, limits);
}

class V3Plan extends BasePlan {
  readonly q: GemmGeom;
  private fwd: Scratch<'col' | 'wp'>;
  private bwd: Scratch<'dyp' | 'dcol' | 'part'>;

  constructor(...a: ConstructorParameters<typeof BasePlan>) {
    super(...a);
    this.q = gemmGeom(this.geom);
    const { col, wp, dyp, dcol, part } = scratchShapes(this.q);
    // The backward reads col and wp: shared only where there is no backward.
    this.fwd = layerScratch(this.alloc, this.geom.forwardOnly ? this.arena : undefined, 'forward', [{ col, wp }]);
    // Both backward GEMMs read dyp and write dcol or part: two lanes.
    const { dx, dw, db } = this.planned;
    this.bwd = layerScratch(this.alloc, this.arena, 'backward', [{ dyp }, { ...(dx ? { dcol } : {}), ...(dw || db ? { part } : {}) }]);
  }

  private scratch(name: keyof ReturnType<typeof scratchShapes>): Tensor {
    return name === 'col' || name === 'wp' ? this.fwd.get(name) : this.bwd.get(name);
  }

  private run(def: KernelDef, bind: Record<string, Tensor>, threads: number, accumulate = false) {
    return dispatchKernel(this.ctx, def, { uniforms: convUniforms(this.q), bind, threads, constants: { ACCUMULATE: accumulate ? 1 : 0 } });
  }

  /** Packs the weights with the bias, im2col, one GEMM writing NCHW. */
  protected async encodeForward(x: Tensor, w: Tensor, bias: Tensor, y: Tensor) {
    const q = this.q, col = this.scratch('col'), wp = this.scratch('wp');
    return [
      await this.run(PACK_W, { w, bias, wp }, q.KOP * q.KP),
      await this.run(IM2COL, { x, col }, q.NP / 4),
      await gemmVec4(this.ctx, FWD, wp, col, y, gemms(q).forward),
    ];
  }

  /** dy packed as [KOP, NP] for both backward GEMMs; then, for dw or db, the weight GEMM's split-K slices. */
  protected async encodePackGrad(dy: Tensor, want: Grads) {
    const q = this.q, dyp = this.scratch('dyp');
    const out: Dispatch[] = [await this.run(PACK_DY, { dy, dyp }, q.NP)];
    if (want.dw || want.db) out.push(await gemmVec4(this.ctx, BWD_WEIGHT, dyp, this.scratch('col'), this.scratch('part'), gemms(q)['weight-gradient']));
    return out;
  }

  /** dcol = wp^T dyp, then col2im gathers each input's taps. */
  protected async encodeInput(dx: Tensor, accumulate: boolean) {
    const q = this.q, dcol = this.scratch('dcol');
    return [
      await gemmVec4(this.ctx, BWD_INPUT, this.scratch('wp'), this.scratch('dyp'), dcol, gemms(q)['input-gradient']),
      await this.run(COL2IM, { dcol, dx }, q.N * q.C * q.H * q.W, accumulate),
    ];
  }

  /** dw (+)= the sum of the weight GEMM's slices. */
  protected async encodeWeight(dw: Tensor, accumulate: boolean) {
    return [await this.run(UNPACK_W, { part: this.scratch('part'), dw }, this.q.K * this.q.CKK, accumulate)];
  }

  /** db (+)= the bias column of the weight GEMM's slices. */
  protected async encodeBias(db: Tensor, accumulate: boolean) {
    return [await this.run(UNPACK_B, { part: this.scratch('part'), db }, this.q.K, accumulate)];
  }
}

export const conv2dV3: Conv2dVersion = {
  name: 'v3',
  summary: 'im2col + the vec4 GEMM, any stride and padding; bias folded into the GEMM; weight gradient split-K over the batch; im2col matrix kept per layer for the weight gradient (shared scratch in a forward-only graph)',
  kernels: [FWD, IM2COL, PACK_W, BWD_INPUT, PACK_DY, COL2IM, BWD_WEIGHT, UNPACK_W, UNPACK_B],
  unfit,
  plan(ctx, g, alloc, opts) {
    fitOrThrow(this, g, ctx.limits);
    return new V3Plan('v3', ctx, g, alloc, { dx: true, dw: true, db: true }, opts);
  },
};

// conv2d v4: implicit GEMMs, no im2col/col2im/pack buffers. One pass forward (bias and ReLU in
// its store), one for the weight and bias gradients together (a virtual all-ones tap gives the
// bias), one for the input gradient (a gather-form transposed convolution); with geom.relu the
// backward passes mask dy on load with the recorded y. packGrad records nothing. Every gradient
// accumulates. Shaders: conv2d/v4_{fwd,wgrad,dgrad}.wgsl around the register tile of v4_tile.wgsl.
import type { Tensor } from '../../gpu/buffers.js';
import { grid, type Dispatch } from '../../gpu/dispatch.js';
import fwdSource from '../../../shaders/conv2d/v4_fwd.wgsl?raw';
import wgradSource from '../../../shaders/conv2d/v4_wgrad.wgsl?raw';
import dgradSource from '../../../shaders/conv2d/v4_dgrad.wgsl?raw';
import wgradLoad from '../../../shaders/conv2d/v4_wgrad_load.wgsl?raw';
import tile from '../../../shaders/conv2d/v4_tile.wgsl?raw';
import params from '../../../shaders/conv2d/params.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDef } from '../contract.js';
import type { Limits } from '../family.js';
import { CONV_UNIFORMS, convUniforms, macs, type Conv2dGeom } from './geometry.js';
import { BasePlan, fitOrThrow, type Conv2dVersion } from './plan.js';

const def = (name: string, file: string, source: string, entry: string, bindings: KernelDef['bindings'], wg: number, include: string[] = []) =>
  kernelDef({ name, file: `conv2d/${file}`, source, include: [params, tile, ...include], entry, uniforms: CONV_UNIFORMS, bindings, workgroup: wg });

/** A pass's tile: R rows (<= 16) x 4*PQ columns per invocation, WG invocations per workgroup. */
export interface Tile { WG: number; PQ: number }
type Pass = 'fwd' | 'dgrad' | 'wgrad';
export const WGS: Record<Pass, number> = { fwd: 32, dgrad: 32, wgrad: 64 };

/** A row segment of up to 16 columns: as few segments per row as can be, then as few idle columns. */
const segmentQuads = (width: number) => Math.ceil(width / (4 * Math.ceil(width / 16)));

/** Each pass's tile at g (sizes measured on SwiftShader, bench/RESULTS.md). */
export function v4Tiles(g: Conv2dGeom): Record<Pass, Tile> {
  return { fwd: { WG: WGS.fwd, PQ: 4 }, dgrad: { WG: WGS.dgrad, PQ: segmentQuads(g.W) }, wgrad: { WG: WGS.wgrad, PQ: 4 } };
}
/** Taps staged per workgroup-memory tile of the forward (BR in its WGSL). */
const BR = 32;
/** The input gradient's staged steps (TS in its WGSL): whole kernels, at least BR where the kernel is smaller. */
const stagedSteps = (g: Conv2dGeom) => Math.max(1, Math.floor(BR / (g.KH * g.KW))) * g.KH * g.KW;
/** Whether the input gradient's (k, kh) rows slide their columns along kw: 4*PQ + 4 registers hold KW - 1 more. */
const slides = (g: Conv2dGeom) => g.SW === 1 && g.KW <= 5;

export const FWD = def('conv2d.fwd.v4', 'v4_fwd.wgsl', fwdSource, 'fwd', { x: 'read', w: 'read', bias: 'read', y: 'read_write' }, WGS.fwd);
export const BWD_INPUT = def('conv2d.bwd_input.v4', 'v4_dgrad.wgsl', dgradSource, 'dgrad', { dy: 'read', y: 'read', w: 'read', dx: 'read_write' }, WGS.dgrad);
const BWD_WEIGHT = def('conv2d.bwd_weight.v4', 'v4_wgrad.wgsl', wgradSource, 'wgrad', { x: 'read', dy: 'read', y: 'read', dw: 'read_write', db: 'read_write' }, WGS.wgrad, [wgradLoad]);

export const R = (rows: number) => Math.min(16, rows);
const cdiv = (a: number, b: number) => Math.ceil(a / b);

/** Workgroups of each pass: column tiles x row tiles. */
export function workgroups(g: Conv2dGeom): Record<Pass, number> {
  const t = v4Tiles(g);
  return {
    fwd: cdiv(g.N * g.OH * g.OW, 4 * t.fwd.PQ * t.fwd.WG) * cdiv(g.K, R(g.K)),
    dgrad: cdiv(g.N * g.H * cdiv(g.W, 4 * t.dgrad.PQ), t.dgrad.WG) * cdiv(g.C, R(g.C)),
    wgrad: cdiv(g.C * g.KH * g.KW + 1, 4 * t.wgrad.PQ) * cdiv(g.K, R(g.K)),
  };
}

const I32_MAX = 2 ** 31 - 1;

/** Why v4 cannot take g: offsets past i32, a grid past the device's, workgroup memory or size past its limits. */
export function v4Unfit(g: Conv2dGeom, limits: Limits): string | null {
  const xs = g.N * g.C * g.H * g.W, ys = g.N * g.K * g.OH * g.OW;
  if (xs > I32_MAX) return `its i32 offsets cannot index x: N*C*H*W = ${xs} elements`;
  if (ys > I32_MAX) return `its i32 offsets cannot index y: N*K*OH*OW = ${ys} elements`;
  const max = limits.maxComputeWorkgroupsPerDimension;
  for (const [pass, n] of Object.entries(workgroups(g))) if (n > max * max) return `its ${pass} pass needs ${n} workgroups, over the ${max} x ${max} grid`;
  const wgMax = Math.max(...Object.values(WGS));
  if (wgMax > limits.maxComputeInvocationsPerWorkgroup) return `its workgroups of ${wgMax} invocations are over the device's ${limits.maxComputeInvocationsPerWorkgroup}`;
  // Staged weights (f32 [steps][R]) and the weight gradient's partial blocks (vec4 [4][WG]).
  const shared = { fwd: BR * R(g.K) * 4, dgrad: stagedSteps(g) * R(g.C) * 4, wgrad: 64 * WGS.wgrad };
  for (const [pass, bytes] of Object.entries(shared)) {
    if (bytes > limits.maxComputeWorkgroupStorageSize) return `its ${pass} pass needs ${bytes} bytes of workgroup memory, over the device's ${limits.maxComputeWorkgroupStorageSize}`;
  }
  return null;
}

/** v4's layer; v5 extends it with its own weight and bias gradients. */
export class V4Plan extends BasePlan {
  /** The weight and bias gradients' destinations until both that packGrad asked for are given. */
  private dw?: { t: Tensor; acc: boolean };
  private db?: { t: Tensor; acc: boolean };
  private spare: { dw?: Tensor; db?: Tensor } = {};

  private pass(d: KernelDef, t: Tile, rows: number, count: number, bind: Record<string, Tensor>, constants: Record<string, number>, flops: number): Promise<Dispatch> {
    const g = this.geom;
    return dispatchKernel(this.ctx, d, {
      uniforms: convUniforms(g, { CKK: g.C * g.KH * g.KW }), bind, grid: grid(count, this.ctx.limits.maxComputeWorkgroupsPerDimension),
      constants: { R: R(rows), PQ: t.PQ, RELU: g.relu ? 1 : 0, SH: g.SH, SW: g.SW, ...constants }, flops,
    });
  }

  protected async encodeForward(x: Tensor, w: Tensor, bias: Tensor, y: Tensor) {
    const g = this.geom;
    return [await this.pass(FWD, v4Tiles(g).fwd, g.K, workgroups(g).fwd, { x, w, bias, y }, {}, 2 * macs(g))];
  }

  protected async encodePackGrad(): Promise<Dispatch[]> {
    this.dw = this.db = undefined;
    return [];
  }

  protected async encodeInput(dx: Tensor, accumulate: boolean) {
    const g = this.geom, { dy, y, w } = this.recorded;
    const constants = { ACCUMULATE: accumulate ? 1 : 0, SLIDE: slides(g) ? 1 : 0, TS: stagedSteps(g) };
    return [await this.pass(BWD_INPUT, v4Tiles(g).dgrad, g.C, workgroups(g).dgrad, { dy, y, w, dx }, constants, 2 * macs(g))];
  }

  protected encodeWeight(dw: Tensor, accumulate: boolean) {
    this.dw = { t: dw, acc: accumulate };
    return this.weightAndBias();
  }

  protected encodeBias(db: Tensor, accumulate: boolean) {
    this.db = { t: db, acc: accumulate };
    return this.weightAndBias();
  }

  /** The one pass for both, once every one packGrad asked for has its destination; a gradient not asked for goes to a private spare. */
  private async weightAndBias(): Promise<Dispatch[]> {
    const want = this.wanted;
    if ((want.dw && !this.dw) || (want.db && !this.db)) return [];
    const g = this.geom, { x, dy, y } = this.recorded;
    const dw = this.dw?.t ?? (this.spare.dw ??= this.alloc([g.K, g.C, g.KH, g.KW]));
    const db = this.db?.t ?? (this.spare.db ??= this.alloc([g.K]));
    const constants = { ACC_W: this.dw?.acc ? 1 : 0, ACC_B: this.db?.acc ? 1 : 0 };
    this.dw = this.db = undefined;
    return [await this.pass(BWD_WEIGHT, v4Tiles(g).wgrad, g.K, workgroups(g).wgrad, { x, dy, y, dw, db }, constants, 2 * macs(g) + g.N * g.K * g.OH * g.OW)];
  }
}

export const conv2dV4: Conv2dVersion = {
  name: 'v4',
  summary: 'implicit GEMM, no im2col/col2im buffers: 1 pass forward (bias and ReLU in the store), 1 for weight + bias gradients, 1 for the input gradient (ReLU mask on load); weights staged in workgroup memory, named register tiles',
  kernels: [FWD, BWD_WEIGHT, BWD_INPUT],
  unfit: v4Unfit,
  plan(ctx, g, alloc, opts) {
    fitOrThrow(this, g, ctx.limits);
    return new V4Plan('v4', ctx, g, alloc, { dx: true, dw: true, db: true }, opts, true);
  },
};

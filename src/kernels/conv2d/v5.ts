// conv2d v5: v4 (its forward and input-gradient passes as they are) with a split-K weight
// gradient for GPUs. v4's weight-gradient GEMM [K x CKK+1] runs a few dozen workgroups, each over
// all N*OH*OW pixels; v5 splits the pixels into Z chunks, so Z times as many workgroups each
// write a chunk's partial dw and db (shaders/conv2d/v5_wgrad.wgsl) to scratch, then
// v5_wsum.wgsl adds the chunks in order: deterministic, no atomics. The partials come from the
// graph's backward arena: the split pass runs with packGrad, the sums with backwardWeight/Bias.
import type { Tensor } from '../../gpu/buffers.js';
import { layerScratch, type Scratch } from '../../gpu/arena.js';
import { grid, type Dispatch } from '../../gpu/dispatch.js';
import wgradSource from '../../../shaders/conv2d/v5_wgrad.wgsl?raw';
import wsumSource from '../../../shaders/conv2d/v5_wsum.wgsl?raw';
import wgradLoad from '../../../shaders/conv2d/v4_wgrad_load.wgsl?raw';
import tile from '../../../shaders/conv2d/v4_tile.wgsl?raw';
import params from '../../../shaders/conv2d/params.wgsl?raw';
import index from '../../../shaders/common/index.wgsl?raw';
import { dispatchKernel, kernelDef } from '../contract.js';
import type { Limits } from '../family.js';
import { CONV_UNIFORMS, convUniforms, macs, scratchUnfit, type Conv2dGeom } from './geometry.js';
import { fitOrThrow, type Conv2dVersion } from './plan.js';
import { BWD_INPUT, FWD, R, V4Plan, v4Tiles, v4Unfit, WGS, workgroups } from './v4.js';

const SUM_WG = 64;
const WGRAD = kernelDef({
  name: 'conv2d.bwd_weight.v5', file: 'conv2d/v5_wgrad.wgsl', source: wgradSource, include: [params, tile, wgradLoad], entry: 'wgrad',
  uniforms: CONV_UNIFORMS, bindings: { x: 'read', dy: 'read', y: 'read', part: 'read_write' }, workgroup: WGS.wgrad,
});
const sum = (name: string, entry: string, out: 'dw' | 'db') => kernelDef({
  name, file: 'conv2d/v5_wsum.wgsl', source: wsumSource, include: [params, index], entry,
  uniforms: CONV_UNIFORMS, bindings: { part: 'read', [out]: 'read_write' }, workgroup: SUM_WG, partOf: 'conv2d.bwd_weight.v5',
});
const SUM_W = sum('conv2d.bwd_weight_sum.v5', 'sum_w', 'dw');
const SUM_B = sum('conv2d.bwd_bias_sum.v5', 'sum_b', 'db');

/** Workgroups the split aims for: a big GPU's compute units several times over. */
const TARGET_GROUPS = 1024;
/** The fewest pixels a chunk takes: 16 per invocation, so the workgroup's sum of 16 blocks x WG partials stays a small part of its work. */
const MIN_CHUNK = 16 * WGS.wgrad;
/** The most bytes of partials, below the device's binding limits. */
const MAX_PART_BYTES = 64 * 2 ** 20;

const pixels = (g: Conv2dGeom) => g.N * g.OH * g.OW;
const partShape = (g: Conv2dGeom, Z: number) => [Z, g.K, g.C * g.KH * g.KW + 1];

/** Z chunks of ceil(NJ / Z) pixels with none empty (the last ragged): at most `want` (at least 1), at most NJ. */
export function evenChunks(NJ: number, want: number): number {
  const len = Math.ceil(NJ / Math.max(1, Math.min(Math.floor(want), NJ)));
  return Math.ceil(NJ / len);
}

/** The chunk count at g: enough workgroups for a big GPU, chunks of MIN_CHUNK pixels or more, partials and grid within the device's limits. */
export function v5Chunks(g: Conv2dGeom, limits: Limits): number {
  const blocks = workgroups(g).wgrad;
  const perChunk = partShape(g, 1).reduce((a, b) => a * b, 4);
  const bytes = Math.min(MAX_PART_BYTES, limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const want = Math.min(Math.ceil(TARGET_GROUPS / blocks), Math.floor(pixels(g) / MIN_CHUNK), Math.floor(bytes / perChunk), Math.floor(limits.maxComputeWorkgroupsPerDimension ** 2 / blocks));
  return evenChunks(pixels(g), want);
}

type Chunks = (g: Conv2dGeom, limits: Limits) => number;

class V5Plan extends V4Plan {
  private bwd: Scratch<'part'>;

  constructor(private Z: number, ...a: ConstructorParameters<typeof V4Plan>) {
    super(...a);
    const { dw, db } = this.planned;
    this.bwd = layerScratch(this.alloc, this.arena, 'backward', [dw || db ? { part: partShape(this.geom, Z) } : {}]);
  }

  private get uniforms() {
    const g = this.geom;
    return convUniforms(g, { CKK: g.C * g.KH * g.KW, Z: this.Z });
  }

  /** For dw or db: every chunk's partial tile of both, one pass. */
  protected override async encodePackGrad(): Promise<Dispatch[]> {
    if (!this.wanted.dw && !this.wanted.db) return [];
    const g = this.geom, { x, dy, y } = this.recorded, t = v4Tiles(g).wgrad;
    return [await dispatchKernel(this.ctx, WGRAD, {
      uniforms: this.uniforms, bind: { x, dy, y, part: this.bwd.get('part') },
      grid: grid(workgroups(g).wgrad * this.Z, this.ctx.limits.maxComputeWorkgroupsPerDimension),
      constants: { R: R(g.K), PQ: t.PQ, RELU: g.relu ? 1 : 0, SH: g.SH, SW: g.SW }, flops: 2 * macs(g) + pixels(g) * g.K,
    })];
  }

  /** The chunks' partials of `n` outputs summed in chunk order into `out` (dw or db). */
  private async sum(def: typeof SUM_W, out: Record<string, Tensor>, n: number, accumulate: boolean): Promise<Dispatch[]> {
    return [await dispatchKernel(this.ctx, def, { uniforms: this.uniforms, bind: { part: this.bwd.get('part'), ...out }, threads: n, constants: { ACCUMULATE: accumulate ? 1 : 0 }, flops: this.Z * n })];
  }

  protected override encodeWeight(dw: Tensor, accumulate: boolean) {
    const g = this.geom;
    return this.sum(SUM_W, { dw }, g.K * g.C * g.KH * g.KW, accumulate);
  }

  protected override encodeBias(db: Tensor, accumulate: boolean) {
    return this.sum(SUM_B, { db }, this.geom.K, accumulate);
  }
}

/** v5 with the chunk count from `chunks` (tests force small counts on odd shapes). */
export function conv2dV5With(chunks: Chunks): Conv2dVersion {
  return {
    name: 'v5',
    summary: 'v4 with a split-K weight gradient for GPUs: v4\'s forward and input-gradient passes; the weight and bias gradients over chunks of the batch\'s pixels, enough workgroups to fill a big GPU, partials in scratch, then a deterministic sum in chunk order',
    kernels: [FWD, WGRAD, SUM_W, SUM_B, BWD_INPUT],
    unfit(g, limits) {
      const Z = chunks(g, limits), n = workgroups(g).wgrad * Z, max = limits.maxComputeWorkgroupsPerDimension;
      return v4Unfit(g, limits) ?? scratchUnfit('weight-gradient partials', partShape(g, Z), limits)
        ?? (n > max * max ? `its split weight-gradient pass needs ${n} workgroups, over the ${max} x ${max} grid` : null);
    },
    plan(ctx, g, alloc, opts) {
      fitOrThrow(this, g, ctx.limits);
      return new V5Plan(chunks(g, ctx.limits), 'v5', ctx, g, alloc, { dx: true, dw: true, db: true }, opts, true);
    },
  };
}

export const conv2dV5 = conv2dV5With(v5Chunks);

/** v5 with `z` chunks (fewer where the pixels are fewer). */
export const conv2dV5Split = (z: number) => conv2dV5With((g) => evenChunks(pixels(g), z));

// data: builds a training batch on the GPU from the whole image set (uploaded once as packed u8
// pixels): gather through the epoch's permutation, optional random rotation/scale/shift from a
// hash of (seed, position), normalisation. Each step rewrites only the batch start and the seed,
// by name (gatherSetBatch). v1: one invocation per output pixel.
import type { GpuContext } from '../../gpu/context.js';
import type { Tensor } from '../../gpu/buffers.js';
import indexSource from '../../../shaders/common/index.wgsl?raw';
import hashSource from '../../../shaders/common/hash.wgsl?raw';
import v1Source from '../../../shaders/data/v1_gather.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDispatch } from '../contract.js';
import { pow2, type Family, type Version } from '../family.js';
import { expectRank, expectShape } from '../shapes.js';
import { flatGridUnfit, withVersion } from '../pick.js';
import { bindingUnfit } from '../unfit.js';

/** Random affine augmentation: shift in pixels, rotation in radians, relative scale. */
export interface Augment { maxShift: number; maxRot: number; scaleJit: number }
export interface GatherShape { B: number; H: number; W: number; count: number; augment: boolean }
/** The image set on the GPU: pixels packed four to a u32 [ceil(count*H*W/4)], labels and permutation [count] (u32). */
export interface GatherSource { images: Tensor; labels: Tensor; perm: Tensor }
export interface GatherParams { start: number; seed: number; augment: Augment | null; mean: number; std: number }
export interface GatherOpts { version?: string }

export interface DataVersion extends Version<GatherShape> {
  gather(ctx: GpuContext, src: GatherSource, x: Tensor, y: Tensor, s: GatherShape, p: GatherParams): Promise<KernelDispatch>;
}

const WG = 64;
const GATHER = kernelDef({
  name: 'data.gather.v1', file: 'data/v1_gather.wgsl', source: v1Source, include: [indexSource, hashSource], entry: 'gather',
  uniforms: ['B', 'start', 'count', 'H', 'W', 'augment', 'seed', 'mean', 'invStd', 'maxShift', 'tanHalf', 'scaleJit'],
  bindings: { images: 'read', labels: 'read', perm: 'read', x: 'read_write', y: 'read_write' }, workgroup: WG,
});

const packedWords = (s: GatherShape) => Math.ceil((s.count * s.H * s.W) / 4);

const v1: DataVersion = {
  name: 'v1', summary: 'one invocation per output pixel, bilinear sampling when augmenting', kernels: [GATHER],
  unfit: (s, limits) => flatGridUnfit(s.B * s.H * s.W, WG, limits) ?? bindingUnfit('image set', packedWords(s), limits) ?? bindingUnfit('batch', s.B * s.H * s.W, limits),
  gather: (ctx, src, x, y, s, p) => {
    const a = p.augment ?? { maxShift: 0, maxRot: 0, scaleJit: 0 };
    const px = s.B * s.H * s.W;
    return dispatchKernel(ctx, GATHER, {
      uniforms: {
        B: s.B, start: p.start, count: s.count, H: s.H, W: s.W, augment: p.augment ? 1 : 0, seed: p.seed >>> 0,
        mean: p.mean, invStd: 1 / p.std, maxShift: a.maxShift, tanHalf: Math.tan(a.maxRot / 2), scaleJit: a.scaleJit,
      },
      bind: { images: src.images, labels: src.labels, perm: src.perm, x, y }, threads: px, flops: px * (p.augment ? 30 : 3), bytes: px * 5,
    });
  },
};

export const dataFamily: Family<GatherShape, DataVersion> = {
  name: 'data',
  versions: [v1],
  bucket: (s) => `${pow2(s.B * s.H * s.W)}${s.augment ? ' aug' : ''}`,
  describe: (s) => `batch [${s.B}x1x${s.H}x${s.W}] of ${s.count} images${s.augment ? ', augmented' : ''}`,
  // Zero pixels, labels and permutation are a valid image set; the work does not depend on them.
  trial: async (ctx, v, s, { out }) => {
    const src = { images: out([packedWords(s)], 'u32'), labels: out([s.count], 'u32'), perm: out([s.count], 'u32') };
    const augment = s.augment ? { maxShift: 2, maxRot: 0.17, scaleJit: 0.1 } : null;
    return [await v.gather(ctx, src, out([s.B, 1, s.H, s.W]), out([s.B], 'u32'), s, { start: 0, seed: 1, augment, mean: 0.5, std: 0.25 })];
  },
  benchShape: (z) => ({ B: z.N, H: 28, W: 28, count: Math.max(64, z.N), augment: true }),
};

function checkParams(p: GatherParams): void {
  if (!Number.isInteger(p.start) || p.start < 0) throw new Error(`gather: batch start must be an integer >= 0, got ${p.start}`);
  if (!Number.isInteger(p.seed)) throw new Error(`gather: seed must be an integer, got ${p.seed}`);
  if (!Number.isFinite(p.mean) || !(p.std > 0 && Number.isFinite(p.std))) throw new Error(`gather: need a finite mean and std > 0, got ${p.mean}, ${p.std}`);
  const a = p.augment;
  if (a && !(a.maxShift >= 0 && a.scaleJit >= 0 && a.scaleJit < 1 && a.maxRot >= 0 && a.maxRot < Math.PI && Number.isFinite(a.maxShift))) {
    throw new Error(`gather: augmentation needs maxShift >= 0, 0 <= scaleJit < 1, 0 <= maxRot < pi; got ${JSON.stringify(a)}`);
  }
}

/** x [B,1,H,W] = normalised (and optionally augmented) images perm[start + b]; y [B] their labels. */
export function gatherBatch(ctx: GpuContext, src: GatherSource, x: Tensor, y: Tensor, p: GatherParams, opts: GatherOpts = {}): Promise<KernelDispatch> {
  expectRank('gather output', x, 4);
  const [B, C, H, W] = x.shape;
  if (C !== 1) throw new Error(`gather output: expected one channel, got [${x.shape.join(', ')}]`);
  const count = src.labels.shape[0];
  expectShape('labels', src.labels, [count], 'u32');
  expectShape('permutation', src.perm, [count], 'u32');
  const s = { B, H, W, count, augment: p.augment !== null };
  expectShape('packed images', src.images, [packedWords(s)], 'u32');
  expectShape('gather labels', y, [B], 'u32');
  checkParams(p);
  return withVersion(ctx, dataFamily, s, opts.version, (v) => v.gather(ctx, src, x, y, s, p));
}

/** Per-step rewrite of a gather dispatch: the batch's start in the permutation and the augmentation seed. */
export function gatherSetBatch(d: KernelDispatch, start: number, seed: number): void {
  d.set('start', start);
  d.set('seed', seed >>> 0);
}

// softmax_xent: fused softmax + cross-entropy over logits [B, K]. The training step runs fwd_bwd
// (per-row losses and the logits' gradient in one pass); prediction runs softmax; fwd is the loss
// alone. v1: one invocation per row (K is the class count, small).
import type { GpuContext } from '../../gpu/context.js';
import type { Tensor } from '../../gpu/buffers.js';
import indexSource from '../../../shaders/common/index.wgsl?raw';
import v1Source from '../../../shaders/softmax_xent/v1_rowwise.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDef, type KernelDispatch } from '../contract.js';
import { pow2, type Family, type Version } from '../family.js';
import { expectRank, expectShape } from '../shapes.js';
import { flatGridUnfit, withVersion } from '../pick.js';
import { bindingUnfit } from '../unfit.js';

export interface XentShape { B: number; K: number }
export interface XentOpts { version?: string }

export interface XentVersion extends Version<XentShape> {
  fwd(ctx: GpuContext, z: Tensor, labels: Tensor, loss: Tensor, s: XentShape): Promise<KernelDispatch>;
  fwdBwd(ctx: GpuContext, z: Tensor, labels: Tensor, loss: Tensor, dz: Tensor, s: XentShape, gscale: number): Promise<KernelDispatch>;
  softmax(ctx: GpuContext, z: Tensor, probs: Tensor, s: XentShape): Promise<KernelDispatch>;
}

const WG = 64;
const def = (op: string, entry: string, bindings: Record<string, 'read' | 'read_write'>): KernelDef => kernelDef({
  name: `softmax_xent.${op}.v1`, file: 'softmax_xent/v1_rowwise.wgsl', source: v1Source, include: [indexSource], entry,
  uniforms: ['B', 'K', 'gscale'], bindings, workgroup: WG,
});
const FWD = def('fwd', 'fwd', { z: 'read', labels: 'read', loss: 'read_write' });
const FWD_BWD = def('fwd_bwd', 'fwd_bwd', { z: 'read', labels: 'read', loss: 'read_write', dz: 'read_write' });
const SOFTMAX = def('softmax', 'softmax', { z: 'read', dz: 'read_write' });

const v1: XentVersion = {
  name: 'v1', summary: 'one invocation per row', kernels: [FWD, FWD_BWD, SOFTMAX],
  unfit: (s, limits) => flatGridUnfit(s.B, WG, limits) ?? bindingUnfit('logits', s.B * s.K, limits),
  fwd: (ctx, z, labels, loss, s) => dispatchKernel(ctx, FWD, { uniforms: { B: s.B, K: s.K, gscale: 0 }, bind: { z, labels, loss }, threads: s.B, flops: 4 * s.B * s.K }),
  fwdBwd: (ctx, z, labels, loss, dz, s, gscale) =>
    dispatchKernel(ctx, FWD_BWD, { uniforms: { B: s.B, K: s.K, gscale }, bind: { z, labels, loss, dz }, threads: s.B, flops: 6 * s.B * s.K }),
  softmax: (ctx, z, probs, s) => dispatchKernel(ctx, SOFTMAX, { uniforms: { B: s.B, K: s.K, gscale: 0 }, bind: { z, dz: probs }, threads: s.B, flops: 4 * s.B * s.K }),
};

export const softmaxXentFamily: Family<XentShape, XentVersion> = {
  name: 'softmax_xent',
  versions: [v1],
  bucket: (s) => `${pow2(s.B)}x${pow2(s.K)}`,
  describe: (s) => `logits [${s.B}x${s.K}]`,
  // Labels of zeros are valid classes; the three passes are everything the family does.
  trial: async (ctx, v, s, { rand, out }) => {
    const z = rand([s.B, s.K]), labels = out([s.B], 'u32');
    return [await v.fwd(ctx, z, labels, out([s.B]), s), await v.fwdBwd(ctx, z, labels, out([s.B]), out([s.B, s.K]), s, 1 / s.B), await v.softmax(ctx, z, out([s.B, s.K]), s)];
  },
  benchShape: (z) => ({ B: Math.max(64, z.N), K: 10 }),
};

/** The shape of logits z [B, K] with labels [B] (u32), checked. */
export function logitsShape(z: Tensor, labels: Tensor | null): XentShape {
  expectRank('logits', z, 2);
  const [B, K] = z.shape;
  if (K < 1) throw new Error('logits: need at least one class');
  if (labels) expectShape('labels', labels, [B], 'u32');
  return { B, K };
}

/** loss[b] = cross-entropy of softmax(z[b]) against labels[b]. */
export function softmaxXentForward(ctx: GpuContext, z: Tensor, labels: Tensor, loss: Tensor, opts: XentOpts = {}): Promise<KernelDispatch> {
  const s = logitsShape(z, labels);
  expectShape('loss', loss, [s.B]);
  return withVersion(ctx, softmaxXentFamily, s, opts.version, (v) => v.fwd(ctx, z, labels, loss, s));
}

/**
 * Loss rows and dz = gscale * (softmax(z) - onehot(labels)) in one pass.
 * gscale defaults to 1/B: the gradient of the mean loss over the batch.
 */
export function softmaxXentForwardBackward(ctx: GpuContext, z: Tensor, labels: Tensor, loss: Tensor, dz: Tensor, opts: XentOpts & { gscale?: number } = {}): Promise<KernelDispatch> {
  const s = logitsShape(z, labels);
  expectShape('loss', loss, [s.B]);
  expectShape('logits grad', dz, [s.B, s.K]);
  const gscale = opts.gscale ?? 1 / s.B;
  if (!Number.isFinite(gscale)) throw new Error(`softmax_xent: gradient scale must be finite, got ${gscale}`);
  return withVersion(ctx, softmaxXentFamily, s, opts.version, (v) => v.fwdBwd(ctx, z, labels, loss, dz, s, gscale));
}

/** probs[b] = softmax(z[b]). */
export function softmax(ctx: GpuContext, z: Tensor, probs: Tensor, opts: XentOpts = {}): Promise<KernelDispatch> {
  const s = logitsShape(z, null);
  expectShape('probabilities', probs, [s.B, s.K]);
  return withVersion(ctx, softmaxXentFamily, s, opts.version, (v) => v.softmax(ctx, z, probs, s));
}

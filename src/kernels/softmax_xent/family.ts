// softmax_xent: fused softmax + cross-entropy over logits [B, K]. fwd_bwd: per-row losses and
// the logits' gradient in one pass; softmax: prediction; fwd: the loss alone; step: the training
// step's whole loss (the logits' gradient, the mean loss added to a running sum, the correct
// count, optional label smoothing). v1: one invocation per row, its step four passes; v2: the
// step in one pass (its row passes are v1's).
import type { GpuContext } from '../../gpu/context.js';
import type { Tensor } from '../../gpu/buffers.js';
import indexSource from '../../../shaders/common/index.wgsl?raw';
import v1Source from '../../../shaders/softmax_xent/v1_rowwise.wgsl?raw';
import v2Source from '../../../shaders/softmax_xent/v2_step.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDef, type KernelDispatch } from '../contract.js';
import { pow2, type Alloc, type Family, type Version } from '../family.js';
import { expectShape } from '../shapes.js';
import { flatGridUnfit, withVersion } from '../pick.js';
import { bindingUnfit } from '../unfit.js';
import { reduceSum } from '../reduce/family.js';
import { axpy } from '../elementwise/family.js';
import { countCorrect } from '../metrics/family.js';
import { logitsShape, type XentShape } from './shape.js';

export { logitsShape, type XentShape };
export interface XentOpts { version?: string }

/** Where the step adds the batch's mean loss (f32 [1]) and its correct rows (u32 [1]). */
export interface XentTotals { loss: Tensor; correct: Tensor }

export interface XentVersion extends Version<XentShape> {
  fwd(ctx: GpuContext, z: Tensor, labels: Tensor, loss: Tensor, s: XentShape): Promise<KernelDispatch>;
  fwdBwd(ctx: GpuContext, z: Tensor, labels: Tensor, loss: Tensor, dz: Tensor, s: XentShape, gscale: number): Promise<KernelDispatch>;
  softmax(ctx: GpuContext, z: Tensor, probs: Tensor, s: XentShape): Promise<KernelDispatch>;
  /** dz = the logits' gradient of the mean loss, with labels smoothed by eps; totals += the batch's mean loss and correct rows. */
  step(ctx: GpuContext, z: Tensor, labels: Tensor, dz: Tensor, totals: XentTotals, s: XentShape, eps: number, scratch: Alloc): Promise<KernelDispatch[]>;
}

const WG = 64;
const def = (op: string, entry: string, bindings: Record<string, 'read' | 'read_write'>): KernelDef => kernelDef({
  name: `softmax_xent.${op}.v1`, file: 'softmax_xent/v1_rowwise.wgsl', source: v1Source, include: [indexSource], entry,
  uniforms: ['B', 'K', 'gscale'], bindings, workgroup: WG,
});
const FWD = def('fwd', 'fwd', { z: 'read', labels: 'read', loss: 'read_write' });
const FWD_BWD = def('fwd_bwd', 'fwd_bwd', { z: 'read', labels: 'read', loss: 'read_write', dz: 'read_write' });
const SOFTMAX = def('softmax', 'softmax', { z: 'read', dz: 'read_write' });

const rowsUnfit = (s: XentShape, limits: Parameters<XentVersion['unfit']>[1]) => flatGridUnfit(s.B, WG, limits) ?? bindingUnfit('logits', s.B * s.K, limits);

const v1: XentVersion = {
  name: 'v1', summary: 'one invocation per row; the step is fwd_bwd, a mean, an add and the correct-count', kernels: [FWD, FWD_BWD, SOFTMAX],
  unfit: (s, limits) => (s.smoothing ? 'it has no label smoothing' : rowsUnfit(s, limits)),
  fwd: (ctx, z, labels, loss, s) => dispatchKernel(ctx, FWD, { uniforms: { B: s.B, K: s.K, gscale: 0 }, bind: { z, labels, loss }, threads: s.B, flops: 4 * s.B * s.K }),
  fwdBwd: (ctx, z, labels, loss, dz, s, gscale) =>
    dispatchKernel(ctx, FWD_BWD, { uniforms: { B: s.B, K: s.K, gscale }, bind: { z, labels, loss, dz }, threads: s.B, flops: 6 * s.B * s.K }),
  softmax: (ctx, z, probs, s) => dispatchKernel(ctx, SOFTMAX, { uniforms: { B: s.B, K: s.K, gscale: 0 }, bind: { z, dz: probs }, threads: s.B, flops: 4 * s.B * s.K }),
  step: async (ctx, z, labels, dz, totals, s, eps, scratch) => {
    if (eps !== 0) throw new Error('softmax_xent.v1: it has no label smoothing');
    const rows = scratch([s.B]), mean = scratch([1]);
    return [await v1.fwdBwd(ctx, z, labels, rows, dz, s, 1 / s.B), await reduceSum(ctx, rows, mean, { mean: true }),
      await axpy(ctx, 1, mean, totals.loss), await countCorrect(ctx, z, labels, totals.correct)];
  },
};

// Each barrier of the tree sum costs every invocation a switch on SwiftShader: 16 lanes took 36 µs
// for 64 rows of 10 (64 lanes 71, 256 lanes 358; contended); on a GPU either is microseconds.
const STEP_WG = 16;
const STEP = kernelDef({
  name: 'softmax_xent.step.v2', file: 'softmax_xent/v2_step.wgsl', source: v2Source, entry: 'step',
  uniforms: ['B', 'K', 'gscale', 'eps', 'inv_b'], bindings: { z: 'read', labels: 'read', dz: 'read_write', totals: 'read_write', count: 'read_write' }, workgroup: STEP_WG,
});

const v2: XentVersion = {
  ...v1,
  name: 'v2', summary: 'v1\'s row passes; the step (gradient, mean loss into the running sum, correct-count, label smoothing) in one pass', kernels: [STEP],
  unfit: rowsUnfit,
  step: async (ctx, z, labels, dz, totals, s, eps) => [await dispatchKernel(ctx, STEP, {
    uniforms: { B: s.B, K: s.K, gscale: 1 / s.B, eps, inv_b: 1 / s.B }, bind: { z, labels, dz, totals: totals.loss, count: totals.correct },
    grid: [1, 1, 1], flops: 8 * s.B * s.K, bytes: 4 * (2 * s.B * s.K + s.B + 4),
  })],
};

export const softmaxXentFamily: Family<XentShape, XentVersion> = {
  name: 'softmax_xent',
  versions: [v1, v2],
  order: ['v2', 'v1'],
  bucket: (s) => `${pow2(s.B)}x${pow2(s.K)}${s.smoothing ? ' smoothed' : ''}`,
  describe: (s) => `logits [${s.B}x${s.K}]${s.smoothing ? ', smoothed labels' : ''}`,
  // Labels of zeros are valid classes; the four passes are everything the family does.
  trial: async (ctx, v, s, { rand, out }) => {
    const z = rand([s.B, s.K]), labels = out([s.B], 'u32'), totals = { loss: out([1]), correct: out([1], 'u32') };
    return [await v.fwd(ctx, z, labels, out([s.B]), s), await v.fwdBwd(ctx, z, labels, out([s.B]), out([s.B, s.K]), s, 1 / s.B), await v.softmax(ctx, z, out([s.B, s.K]), s),
      ...await v.step(ctx, z, labels, out([s.B, s.K]), totals, s, s.smoothing ? 0.1 : 0, out)];
  },
  benchShape: (z) => ({ B: Math.max(64, z.N), K: 10 }),
};

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

/**
 * The training step's loss in one op: dz = the logits' gradient of the mean cross-entropy against
 * labels smoothed by `smoothing` ((1 - eps) onehot + eps / K; 0: none), totals.loss[0] += the
 * batch's mean loss, totals.correct[0] += rows whose argmax is the label. `scratch` holds what a
 * multi-pass version needs between its passes.
 */
export function softmaxXentStep(ctx: GpuContext, z: Tensor, labels: Tensor, dz: Tensor, totals: XentTotals, opts: XentOpts & { smoothing?: number; scratch: Alloc }): Promise<KernelDispatch[]> {
  const eps = opts.smoothing ?? 0;
  if (!(eps >= 0 && eps < 1)) throw new Error(`softmax_xent: label smoothing must be in [0, 1), got ${eps}`);
  const s: XentShape = { ...logitsShape(z, labels), ...(eps > 0 ? { smoothing: true } : {}) };
  expectShape('logits grad', dz, [s.B, s.K]);
  expectShape('loss total', totals.loss, [1]);
  expectShape('correct count', totals.correct, [1], 'u32');
  return withVersion(ctx, softmaxXentFamily, s, opts.version, (v) => v.step(ctx, z, labels, dz, totals, s, eps, opts.scratch));
}

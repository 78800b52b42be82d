// metrics: classification results over logits [B, K] that stay on the GPU: argmax predictions,
// and a correct-count that accumulates across batches (one readback per evaluation).
// v1: one invocation per row.
import type { GpuContext } from '../../gpu/context.js';
import type { Tensor } from '../../gpu/buffers.js';
import indexSource from '../../../shaders/common/index.wgsl?raw';
import v1Source from '../../../shaders/metrics/v1_rowwise.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDef, type KernelDispatch } from '../contract.js';
import { pow2, type Family, type Version } from '../family.js';
import { expectShape } from '../shapes.js';
import { flatGridUnfit, withVersion } from '../pick.js';
import { bindingUnfit } from '../unfit.js';
import { logitsShape, type XentShape } from '../softmax_xent/shape.js';

export type MetricsShape = XentShape;
export interface MetricsOpts { version?: string }

export interface MetricsVersion extends Version<MetricsShape> {
  argmax(ctx: GpuContext, z: Tensor, pred: Tensor, s: MetricsShape): Promise<KernelDispatch>;
  correct(ctx: GpuContext, z: Tensor, labels: Tensor, count: Tensor, s: MetricsShape): Promise<KernelDispatch>;
}

const WG = 64;
const def = (op: string, bindings: Record<string, 'read' | 'read_write'>): KernelDef => kernelDef({
  name: `metrics.${op}.v1`, file: 'metrics/v1_rowwise.wgsl', source: v1Source, include: [indexSource], entry: op,
  uniforms: ['B', 'K'], bindings, workgroup: WG,
});
const ARGMAX = def('argmax', { z: 'read', pred: 'read_write' });
const CORRECT = def('correct', { z: 'read', labels: 'read', count: 'read_write' });

const v1: MetricsVersion = {
  name: 'v1', summary: 'one invocation per row; the count is one atomic add per correct row', kernels: [ARGMAX, CORRECT],
  unfit: (s, limits) => flatGridUnfit(s.B, WG, limits) ?? bindingUnfit('logits', s.B * s.K, limits),
  argmax: (ctx, z, pred, s) => dispatchKernel(ctx, ARGMAX, { uniforms: { B: s.B, K: s.K }, bind: { z, pred }, threads: s.B, flops: s.B * s.K }),
  correct: (ctx, z, labels, count, s) => dispatchKernel(ctx, CORRECT, { uniforms: { B: s.B, K: s.K }, bind: { z, labels, count }, threads: s.B, flops: s.B * s.K }),
};

export const metricsFamily: Family<MetricsShape, MetricsVersion> = {
  name: 'metrics',
  versions: [v1],
  bucket: (s) => `${pow2(s.B)}x${pow2(s.K)}`,
  describe: (s) => `logits [${s.B}x${s.K}]`,
  trial: async (ctx, v, s, { rand, out }) => {
    const z = rand([s.B, s.K]);
    return [await v.argmax(ctx, z, out([s.B], 'u32'), s), await v.correct(ctx, z, out([s.B], 'u32'), out([1], 'u32'), s)];
  },
  benchShape: (z) => ({ B: Math.max(64, z.N), K: 10 }),
};

/** pred[b] = the first index of row b's maximum. */
export function argmax(ctx: GpuContext, z: Tensor, pred: Tensor, opts: MetricsOpts = {}): Promise<KernelDispatch> {
  const s = logitsShape(z, null);
  expectShape('predictions', pred, [s.B], 'u32');
  return withVersion(ctx, metricsFamily, s, opts.version, (v) => v.argmax(ctx, z, pred, s));
}

/** count[0] += rows whose argmax equals the label (count is a 1-element u32 tensor). */
export function countCorrect(ctx: GpuContext, z: Tensor, labels: Tensor, count: Tensor, opts: MetricsOpts = {}): Promise<KernelDispatch> {
  const s = logitsShape(z, labels);
  expectShape('correct count', count, [1], 'u32');
  return withVersion(ctx, metricsFamily, s, opts.version, (v) => v.correct(ctx, z, labels, count, s));
}

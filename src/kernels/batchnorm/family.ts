// batchnorm: BatchNorm2d and BatchNorm1d over x viewed as [N, C, S] (S = H*W for NCHW, 1 for a
// dense [N, F]). Training mode normalises with the batch's per-channel mean and biased variance
// and updates the running statistics; evaluation mode normalises with the running ones. v1 (the
// baseline): the reductions one workgroup per channel (two passes for the variance), the
// elementwise passes one invocation per element. v2: the reductions one invocation per channel
// summing serially (no barriers), the elementwise passes one invocation per image plane (no
// integer division per element): on SwiftShader about 5x faster than v1, whose trees spend their
// time in barriers; on a GPU, for channels of few values (BatchNorm1d).
import type { GpuContext } from '../../gpu/context.js';
import { numel, type Tensor } from '../../gpu/buffers.js';
import indexSource from '../../../shaders/common/index.wgsl?raw';
import params from '../../../shaders/batchnorm/params.wgsl?raw';
import treeSum from '../../../shaders/batchnorm/tree_sum.wgsl?raw';
import statsBindings from '../../../shaders/batchnorm/stats_bindings.wgsl?raw';
import sumsBindings from '../../../shaders/batchnorm/sums_bindings.wgsl?raw';
import applyBindings from '../../../shaders/batchnorm/apply_bindings.wgsl?raw';
import statsSource from '../../../shaders/batchnorm/v1_stats.wgsl?raw';
import bwdReduceSource from '../../../shaders/batchnorm/v1_bwd_reduce.wgsl?raw';
import applySource from '../../../shaders/batchnorm/v1_apply.wgsl?raw';
import v2StatsSource from '../../../shaders/batchnorm/v2_stats.wgsl?raw';
import v2BwdSumsSource from '../../../shaders/batchnorm/v2_bwd_sums.wgsl?raw';
import v2PlanesSource from '../../../shaders/batchnorm/v2_planes.wgsl?raw';
import { dispatchKernel, kernelDef, type Access, type KernelDef, type KernelDispatch } from '../contract.js';
import { pow2, type Family, type Limits, type Version } from '../family.js';
import { flatGridUnfit, withVersion } from '../pick.js';
import { expectShape } from '../shapes.js';
import { bindingUnfit } from '../unfit.js';

/** x viewed as [N, C, S]: C channels, each normalised over its N*S values. */
export interface BnShape { N: number; C: number; S: number }

export interface BnTrainTensors { x: Tensor; gamma: Tensor; beta: Tensor; y: Tensor; mean: Tensor; variance: Tensor; runningMean: Tensor; runningVar: Tensor }
export interface BnEvalTensors { x: Tensor; gamma: Tensor; beta: Tensor; y: Tensor; runningMean: Tensor; runningVar: Tensor }
/** mean/variance: the training forward's batch statistics; sumDy is dbeta, sumDyx dgamma; dx null: not wanted. */
export interface BnBackwardTensors { x: Tensor; dy: Tensor; gamma: Tensor; mean: Tensor; variance: Tensor; sumDy: Tensor; sumDyx: Tensor; dx: Tensor | null }

export interface BatchNormVersion extends Version<BnShape> {
  /** Batch statistics into mean/variance, the running statistics updated, y normalised with the batch's. */
  train(ctx: GpuContext, t: BnTrainTensors, s: BnShape, momentum: number, eps: number): Promise<KernelDispatch[]>;
  /** y normalised with the running statistics. */
  evaluate(ctx: GpuContext, t: BnEvalTensors, s: BnShape, eps: number): Promise<KernelDispatch>;
  /** The per-channel sums (dbeta, dgamma) and, when t.dx is given, dx (+)= the input gradient. */
  backward(ctx: GpuContext, t: BnBackwardTensors, s: BnShape, eps: number, accumulate: boolean): Promise<KernelDispatch[]>;
}

export const DEFAULT_MOMENTUM = 0.1;
export const DEFAULT_EPS = 1e-5;

const WG_REDUCE = 256, WG = 64, WG_SERIAL = 16;
const UNIFORMS = ['N', 'C', 'S', 'momentum', 'eps'];
// `io`: the pass's bindings, shared by v1 and v2 (shaders/batchnorm/*_bindings.wgsl).
const def = (op: string, file: string, source: string, io: string, bindings: Record<string, Access>, reduce: boolean): KernelDef => kernelDef({
  name: `batchnorm.${op}.v1`, file: `batchnorm/${file}`, source, entry: op, uniforms: UNIFORMS, bindings,
  include: reduce ? [params, treeSum, io] : [indexSource, params, io], workgroup: reduce ? WG_REDUCE : WG,
});
const defV2 = (op: string, file: string, source: string, io: string, bindings: Record<string, Access>, serial: boolean): KernelDef => kernelDef({
  name: `batchnorm.${op}.v2`, file: `batchnorm/${file}`, source, entry: op, uniforms: UNIFORMS, bindings,
  include: serial ? [params, io] : [indexSource, params, io], workgroup: serial ? WG_SERIAL : WG,
});
const STATS = def('stats', 'v1_stats.wgsl', statsSource, statsBindings, { x: 'read', mean: 'read_write', variance: 'read_write', running_mean: 'read_write', running_var: 'read_write' }, true);
const BWD_REDUCE = def('bwd_reduce', 'v1_bwd_reduce.wgsl', bwdReduceSource, sumsBindings, { x: 'read', dy: 'read', mean: 'read', variance: 'read', sum_dy: 'read_write', sum_dyx: 'read_write' }, true);
const APPLY = def('apply', 'v1_apply.wgsl', applySource, applyBindings, { x: 'read', mean: 'read', variance: 'read', gamma: 'read', beta: 'read', y: 'read_write' }, false);
const BWD_DX = def('bwd_dx', 'v1_apply.wgsl', applySource, applyBindings, { x: 'read', dy: 'read', mean: 'read', variance: 'read', gamma: 'read', sum_dy: 'read', sum_dyx: 'read', dx: 'read_write' }, false);

const STATS_V2 = defV2('stats', 'v2_stats.wgsl', v2StatsSource, statsBindings, STATS.bindings, true);
const BWD_SUMS_V2 = defV2('bwd_sums', 'v2_bwd_sums.wgsl', v2BwdSumsSource, sumsBindings, BWD_REDUCE.bindings, true);
const APPLY_V2 = defV2('apply', 'v2_planes.wgsl', v2PlanesSource, applyBindings, APPLY.bindings, false);
const BWD_DX_V2 = defV2('bwd_dx', 'v2_planes.wgsl', v2PlanesSource, applyBindings, BWD_DX.bindings, false);

const size = (s: BnShape) => s.N * s.C * s.S;

/** A version's four passes and how each kind is laid out on the grid. */
interface Passes {
  stats: KernelDef; apply: KernelDef; sums: KernelDef; dx: KernelDef;
  reduction: (s: BnShape) => { grid: [number, number, number] };
  elementwise: (s: BnShape) => { threads: number };
}

function version(name: string, summary: string, k: Passes, unfit: Version<BnShape>['unfit']): BatchNormVersion {
  type Bind = Record<string, Tensor>;
  const call = (ctx: GpuContext, def: KernelDef, at: { grid: [number, number, number] } | { threads: number }, s: BnShape, bind: Bind, o: { momentum?: number; eps: number; flops: number; accumulate?: boolean }) =>
    dispatchKernel(ctx, def, { uniforms: { ...s, momentum: o.momentum ?? 0, eps: o.eps }, bind, ...at, flops: o.flops * size(s), constants: def === k.dx ? { ACCUMULATE: o.accumulate ? 1 : 0 } : undefined });
  const apply = (ctx: GpuContext, s: BnShape, bind: Bind, eps: number) => call(ctx, k.apply, k.elementwise(s), s, bind, { eps, flops: 4 });
  return {
    name, summary, kernels: [k.stats, k.apply, k.sums, k.dx], unfit,
    train: async (ctx, t, s, momentum, eps) => [
      await call(ctx, k.stats, k.reduction(s), s, { x: t.x, mean: t.mean, variance: t.variance, running_mean: t.runningMean, running_var: t.runningVar }, { momentum, eps, flops: 4 }),
      await apply(ctx, s, { x: t.x, mean: t.mean, variance: t.variance, gamma: t.gamma, beta: t.beta, y: t.y }, eps),
    ],
    evaluate: (ctx, t, s, eps) => apply(ctx, s, { x: t.x, mean: t.runningMean, variance: t.runningVar, gamma: t.gamma, beta: t.beta, y: t.y }, eps),
    backward: async (ctx, t, s, eps, accumulate) => {
      const sums = { mean: t.mean, variance: t.variance, sum_dy: t.sumDy, sum_dyx: t.sumDyx };
      const out = [await call(ctx, k.sums, k.reduction(s), s, { x: t.x, dy: t.dy, ...sums }, { eps, flops: 5 })];
      if (t.dx) out.push(await call(ctx, k.dx, k.elementwise(s), s, { x: t.x, dy: t.dy, gamma: t.gamma, ...sums, dx: t.dx }, { eps, flops: 8, accumulate }));
      return out;
    },
  };
}

const gridUnfit = (what: string, groups: number, limits: Limits) =>
  (groups > limits.maxComputeWorkgroupsPerDimension ? `its ${groups} workgroups (${what}) exceed ${limits.maxComputeWorkgroupsPerDimension}` : null);

const v1 = version('v1', 'statistics and gradient sums by a workgroup per channel (two-pass variance), normalise and dx per element',
  { stats: STATS, apply: APPLY, sums: BWD_REDUCE, dx: BWD_DX, reduction: (s) => ({ grid: [s.C, 1, 1] }), elementwise: (s) => ({ threads: size(s) }) },
  (s, limits) => gridUnfit('one per channel', s.C, limits) ?? flatGridUnfit(size(s), WG, limits) ?? bindingUnfit('activations', size(s), limits));

const v2 = version('v2', 'statistics and gradient sums one serial invocation per channel (no barriers), normalise and dx one invocation per image plane',
  { stats: STATS_V2, apply: APPLY_V2, sums: BWD_SUMS_V2, dx: BWD_DX_V2, reduction: (s) => ({ grid: [Math.ceil(s.C / WG_SERIAL), 1, 1] }), elementwise: (s) => ({ threads: s.N * s.C }) },
  (s, limits) => gridUnfit(`${WG_SERIAL} channels each`, Math.ceil(s.C / WG_SERIAL), limits) ?? flatGridUnfit(s.N * s.C, WG, limits) ?? bindingUnfit('activations', size(s), limits));

export const batchNormFamily: Family<BnShape, BatchNormVersion> = {
  name: 'batchnorm',
  versions: [v1, v2],
  // Serial sums win while each channel sums few values; past that autotune measures (v2 on a CPU).
  order: (s) => (s.N * s.S <= 4096 ? ['v2', 'v1'] : ['v1', 'v2']),
  bucket: (s) => `${pow2(s.N * s.S)} per channel x ${pow2(s.C)} channels`,
  describe: (s) => `[${s.N}, ${s.C}, ${s.S}] (N, channels, per-channel size)`,
  trial: async (ctx, v, s, { rand, out }) => {
    const x = rand([s.N, s.C, s.S]), gamma = rand([s.C]), mean = out([s.C]), variance = out([s.C]);
    const fwd = await v.train(ctx, { x, gamma, beta: rand([s.C]), y: out([s.N, s.C, s.S]), mean, variance, runningMean: out([s.C]), runningVar: out([s.C]) }, s, DEFAULT_MOMENTUM, DEFAULT_EPS);
    const bwd = await v.backward(ctx, { x, dy: rand([s.N, s.C, s.S]), gamma, mean, variance, sumDy: out([s.C]), sumDyx: out([s.C]), dx: out([s.N, s.C, s.S]) }, s, DEFAULT_EPS, false);
    return [...fwd, ...bwd];
  },
  // A conv layer's output at the bench size.
  benchShape: (z) => ({ N: z.N, C: z.K, S: z.H * z.W }),
};

export interface BatchNormOpts { momentum?: number; eps?: number; version?: string }

/** x viewed as [N, C, S] (dim 1 is the channel), after checking the per-channel tensors and options. */
function view(x: Tensor, perChannel: Record<string, Tensor>, o: BatchNormOpts): { s: BnShape; momentum: number; eps: number } {
  if (x.shape.length < 2) throw new Error(`batchnorm: input must be [N, C, ...], got [${x.shape.join(', ')}]`);
  const s = { N: x.shape[0], C: x.shape[1], S: numel(x.shape.slice(2)) };
  for (const [what, t] of Object.entries(perChannel)) expectShape(`batchnorm ${what}`, t, [s.C]);
  const momentum = o.momentum ?? DEFAULT_MOMENTUM, eps = o.eps ?? DEFAULT_EPS;
  if (!(momentum >= 0 && momentum <= 1)) throw new Error(`batchnorm momentum must be in [0, 1], got ${momentum}`);
  if (!(eps > 0 && Number.isFinite(eps))) throw new Error(`batchnorm eps must be a positive number, got ${eps}`);
  return { s, momentum, eps };
}

/** Why training mode cannot take `s`, in words (one value per channel has no batch variance). */
export function trainingUnfit(s: BnShape): string | null {
  return s.N * s.S < 2 ? `training mode needs more than one value per channel, got N*S = ${s.N * s.S} (batch ${s.N} x ${s.S} per image): the batch variance of one value is 0 and the running variance's unbiased estimate divides by N*S - 1 = 0; use a batch of 2 or more, or evaluation mode` : null;
}

/** Training forward: y from the batch statistics (kept in mean/variance for the backward); the running statistics move by momentum. */
export function batchNormTrain(ctx: GpuContext, t: BnTrainTensors, o: BatchNormOpts = {}): Promise<KernelDispatch[]> {
  const { s, momentum, eps } = view(t.x, { gamma: t.gamma, beta: t.beta, mean: t.mean, variance: t.variance, 'running mean': t.runningMean, 'running var': t.runningVar }, o);
  expectShape('batchnorm output', t.y, t.x.shape);
  const why = trainingUnfit(s);
  if (why) throw new Error(`batchnorm: ${why}`);
  return withVersion(ctx, batchNormFamily, s, o.version, (v) => v.train(ctx, t, s, momentum, eps));
}

/** Evaluation forward: y from the running statistics. */
export function batchNormEval(ctx: GpuContext, t: BnEvalTensors, o: BatchNormOpts = {}): Promise<KernelDispatch> {
  const { s, eps } = view(t.x, { gamma: t.gamma, beta: t.beta, 'running mean': t.runningMean, 'running var': t.runningVar }, o);
  expectShape('batchnorm output', t.y, t.x.shape);
  return withVersion(ctx, batchNormFamily, s, o.version, (v) => v.evaluate(ctx, t, s, eps));
}

/** Training backward: dbeta into sumDy, dgamma into sumDyx, and dx (+)= (`accumulate`) when t.dx is given. */
export function batchNormBackward(ctx: GpuContext, t: BnBackwardTensors, o: BatchNormOpts & { accumulate?: boolean } = {}): Promise<KernelDispatch[]> {
  const { s, eps } = view(t.x, { gamma: t.gamma, mean: t.mean, variance: t.variance, 'sum dy': t.sumDy, 'sum dy*xhat': t.sumDyx }, o);
  expectShape('batchnorm grad output', t.dy, t.x.shape);
  if (t.dx) expectShape('batchnorm grad input', t.dx, t.x.shape);
  const why = trainingUnfit(s);
  if (why) throw new Error(`batchnorm: ${why}`);
  return withVersion(ctx, batchNormFamily, s, o.version, (v) => v.backward(ctx, t, s, eps, Boolean(o.accumulate)));
}

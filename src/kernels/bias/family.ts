// bias: per-channel bias over a tensor viewed as [N, C, S] (dim 1 is the channel; S = H*W for
// NCHW, 1 for a dense [N, C]). Every version adds the bias with one shared kernel; they differ in
// the gradient db[c] = sum of dy over n and s: v1 a workgroup tree sum per channel, v2 one serial
// invocation per channel (no barriers: faster where each channel sums few values, as in dense layers).
import type { GpuContext } from '../../gpu/context.js';
import { numel, type Tensor } from '../../gpu/buffers.js';
import indexSource from '../../../shaders/common/index.wgsl?raw';
import addSource from '../../../shaders/bias/add.wgsl?raw';
import v1Source from '../../../shaders/bias/v1_tree.wgsl?raw';
import v2Source from '../../../shaders/bias/v2_serial.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDispatch } from '../contract.js';
import { pow2, type Family, type Limits, type Version } from '../family.js';
import { flatGridUnfit, withVersion } from '../pick.js';
import { expectShape } from '../shapes.js';

export interface BiasShape { N: number; C: number; S: number }

export interface BiasVersion extends Version<BiasShape> {
  /** db (+)= the per-channel sum of dy. */
  grad(ctx: GpuContext, dy: Tensor, db: Tensor, s: BiasShape, accumulate: boolean): Promise<KernelDispatch>;
}

const WG = 64;
const NCS = ['N', 'C', 'S'];
const GRAD_BINDINGS = { dy: 'read', db: 'read_write' } as const;
const ADD = kernelDef({ name: 'bias.add.v1', file: 'bias/add.wgsl', source: addSource, include: [indexSource], entry: 'add', uniforms: NCS, bindings: { b: 'read', y: 'read_write' }, workgroup: WG });
const GRAD_V1 = kernelDef({ name: 'bias.grad.v1', file: 'bias/v1_tree.wgsl', source: v1Source, entry: 'grad', uniforms: NCS, bindings: GRAD_BINDINGS, workgroup: WG });
const GRAD_V2 = kernelDef({ name: 'bias.grad.v2', file: 'bias/v2_serial.wgsl', source: v2Source, entry: 'grad', uniforms: NCS, bindings: GRAD_BINDINGS, workgroup: WG });

const addUnfit = (s: BiasShape, limits: Limits) => flatGridUnfit(s.N * s.C * s.S, WG, limits);
const encodeAdd = (ctx: GpuContext, y: Tensor, b: Tensor, s: BiasShape) =>
  dispatchKernel(ctx, ADD, { uniforms: { ...s }, bind: { b, y }, threads: s.N * s.C * s.S, flops: s.N * s.C * s.S });

/** A gradient kernel run on `groups(C)` workgroups along x. */
function version(name: string, summary: string, grad: typeof GRAD_V1, groups: (C: number) => number, what: string): BiasVersion {
  return {
    name, summary, kernels: [ADD, grad],
    unfit: (s, limits) => {
      const g = groups(s.C), max = limits.maxComputeWorkgroupsPerDimension;
      return g > max ? `its ${g} workgroups (${what}) exceed ${max}` : addUnfit(s, limits);
    },
    grad: (ctx, dy, db, s, accumulate) => dispatchKernel(ctx, grad, {
      uniforms: { ...s }, bind: { dy, db }, grid: [groups(s.C), 1, 1], constants: { ACCUMULATE: accumulate ? 1 : 0 }, flops: s.N * s.C * s.S,
    }),
  };
}

export const biasFamily: Family<BiasShape, BiasVersion> = {
  name: 'bias',
  versions: [
    version('v1', 'gradient as a workgroup tree sum per channel', GRAD_V1, (C) => C, 'one per channel'),
    version('v2', 'gradient as one serial invocation per channel (no barriers)', GRAD_V2, (C) => Math.ceil(C / WG), `${WG} channels each`),
  ],
  // A serial sum wins while each channel sums few values (dense layers, small convs).
  order: (s) => (s.N * s.S <= 4096 ? ['v2', 'v1'] : ['v1', 'v2']),
  bucket: (s) => `${pow2(s.N * s.S)} per channel x ${pow2(s.C)} channels`,
  describe: (s) => `[${s.N}, ${s.C}, ${s.S}] (N, channels, per-channel size)`,
  trial: async (ctx, v, s, { rand, out }) => [await encodeAdd(ctx, rand([s.N, s.C, s.S]), rand([s.C]), s), await v.grad(ctx, rand([s.N, s.C, s.S]), out([s.C]), s, false)],
  // A conv layer's output at the bench size.
  benchShape: (z) => ({ N: z.N, C: z.K, S: z.H * z.W }),
};

/** Views y as [N, C, S]: dim 1 is the channel dim, S the product of the dims after it. */
function view(y: Tensor): BiasShape {
  if (y.shape.length < 2) throw new Error(`bias: tensor must be at least 2-D [N, C, ...], got [${y.shape.join(', ')}]`);
  return { N: y.shape[0], C: y.shape[1], S: numel(y.shape.slice(2)) };
}

/** y[n, c, ...] += b[c], in place: every version shares this kernel, but a named version must fit. */
export function biasAdd(ctx: GpuContext, y: Tensor, b: Tensor, version?: string): Promise<KernelDispatch> {
  const s = view(y);
  expectShape('bias', b, [s.C]);
  if (version) return withVersion(ctx, biasFamily, s, version, () => encodeAdd(ctx, y, b, s));
  const why = addUnfit(s, ctx.limits);
  if (why) throw new Error(`${ADD.name}: ${why}`);
  return encodeAdd(ctx, y, b, s);
}

/** db[c] (+)= sum of dy over every dim but the channel dim, with the version the context's policy chooses (or `version`). */
export function biasGrad(ctx: GpuContext, dy: Tensor, db: Tensor, opts: { accumulate?: boolean; version?: string } = {}): Promise<KernelDispatch> {
  const s = view(dy);
  expectShape('bias grad', db, [s.C]);
  return withVersion(ctx, biasFamily, s, opts.version, (v) => v.grad(ctx, dy, db, s, Boolean(opts.accumulate)));
}

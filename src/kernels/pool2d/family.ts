// pool2d: max and average pooling over NCHW, as two families because only max pooling has a
// choice to make. maxpool2d: v1 gathers dx per input element; v2 scatters per window where
// windows tile the input (stride = kernel, no padding); both use v1's forward, which records each
// window's winner. v3 and v4 pool a ReLU's input with the ReLU fused (args.relu): their forward
// records no winner where the output is 0, so v1's and v2's backward apply the ReLU's mask as they
// are. avgpool2d: v1 only. Kernel names stay pool2d.{max,avg}_{fwd,bwd}.vN.
import type { GpuContext } from '../../gpu/context.js';
import type { Tensor } from '../../gpu/buffers.js';
import indexSource from '../../../shaders/common/index.wgsl?raw';
import params from '../../../shaders/pool2d/params.wgsl?raw';
import v1Source from '../../../shaders/pool2d/v1_gather.wgsl?raw';
import v2Source from '../../../shaders/pool2d/v2_scatter.wgsl?raw';
import v3Source from '../../../shaders/pool2d/v3_relu.wgsl?raw';
import { dispatchKernel, kernelDef, type Access, type KernelDef, type KernelDispatch } from '../contract.js';
import { pow2, type Family, type Limits, type Version } from '../family.js';
import { flatGridUnfit, withVersion } from '../pick.js';
import { expectRank, expectShape, pair, positiveInt, type Pair } from '../shapes.js';

export interface Pool2dArgs {
  kernel: Pair;
  /** Defaults to the kernel size, as in PyTorch. */
  stride?: Pair;
  padding?: Pair;
  /** Max pooling only: pool relu(x), the ReLU before the pool fused (y = max(0, window max)). */
  relu?: boolean;
}

/** The family shape: input [N,C,H,W], output [N,C,OH,OW], window, stride and padding. */
export type Pool2dGeom = { N: number; C: number; H: number; W: number; OH: number; OW: number; KH: number; KW: number; SH: number; SW: number; PH: number; PW: number };

export function pool2dGeom(xShape: readonly number[], args: Pool2dArgs): Pool2dGeom {
  if (xShape.length !== 4) throw new Error(`pool2d: input must be NCHW, got [${xShape.join(', ')}]`);
  const [N, C, H, W] = xShape;
  const [KH, KW] = pair(args.kernel);
  const [SH, SW] = pair(args.stride ?? args.kernel);
  const [PH, PW] = pair(args.padding ?? 0);
  for (const v of [KH, KW, SH, SW]) positiveInt('pool2d kernel/stride', v);
  for (const v of [PH, PW]) positiveInt('pool2d padding', v, 0);
  if (2 * PH > KH || 2 * PW > KW) throw new Error(`pool2d: padding (${PH}, ${PW}) must be at most half the kernel (${KH}, ${KW})`);
  const OH = Math.floor((H + 2 * PH - KH) / SH) + 1;
  const OW = Math.floor((W + 2 * PW - KW) / SW) + 1;
  if (OH < 1 || OW < 1) throw new Error(`pool2d: window ${KH}x${KW} does not fit input ${H}x${W}`);
  return { N, C, H, W, OH, OW, KH, KW, SH, SW, PH, PW };
}

/** A max pool's shape: its geometry, and whether it pools a ReLU's input with the ReLU fused. */
export type MaxPoolShape = Pool2dGeom & { relu?: boolean };

const maxShape = (xShape: readonly number[], args: Pool2dArgs): MaxPoolShape => ({ ...pool2dGeom(xShape, args), ...(args.relu ? { relu: true } : {}) });

/** Whether windows tile the input (stride = kernel, no padding), which max_bwd.v2 needs. */
export const poolTiles = (g: Pool2dGeom) => g.SH === g.KH && g.SW === g.KW && g.PH === 0 && g.PW === 0;

const WG = 64;
const GEOM = ['N', 'C', 'H', 'W', 'OH', 'OW', 'KH', 'KW', 'SH', 'SW', 'PH', 'PW'];
const def = (name: string, file: string, source: string, entry: string, bindings: Record<string, Access>): KernelDef =>
  kernelDef({ name, file: `pool2d/${file}`, source, include: [indexSource, params], entry, uniforms: GEOM, bindings, workgroup: WG });

const MAX_FWD = def('pool2d.max_fwd.v1', 'v1_gather.wgsl', v1Source, 'max_fwd', { src: 'read', dst: 'read_write', idx: 'read_write' });
const MAX_BWD_V1 = def('pool2d.max_bwd.v1', 'v1_gather.wgsl', v1Source, 'max_bwd', { src: 'read', dst: 'read_write', idx: 'read_write' });
const MAX_BWD_V2 = def('pool2d.max_bwd.v2', 'v2_scatter.wgsl', v2Source, 'max_bwd', { src: 'read', dst: 'read_write', idx: 'read' });
const MAX_RELU_FWD = def('pool2d.max_relu_fwd.v3', 'v3_relu.wgsl', v3Source, 'max_relu_fwd', { src: 'read', dst: 'read_write', idx: 'read_write' });
const AVG_FWD = def('pool2d.avg_fwd.v1', 'v1_gather.wgsl', v1Source, 'avg_fwd', { src: 'read', dst: 'read_write' });
const AVG_BWD = def('pool2d.avg_bwd.v1', 'v1_gather.wgsl', v1Source, 'avg_bwd', { src: 'read', dst: 'read_write' });

const outputs = (g: Pool2dGeom) => g.N * g.C * g.OH * g.OW;
const inputs = (g: Pool2dGeom) => g.N * g.C * g.H * g.W;
const run = (ctx: GpuContext, k: KernelDef, g: Pool2dGeom, bind: Record<string, Tensor>, threads: number) =>
  dispatchKernel(ctx, k, { uniforms: Object.fromEntries(GEOM.map((f) => [f, g[f as keyof Pool2dGeom]])), bind, threads });

export interface MaxPoolVersion extends Version<MaxPoolShape> {
  /** y and each window's winner `idx` (none where a fused ReLU makes y 0). */
  forward(ctx: GpuContext, x: Tensor, y: Tensor, idx: Tensor, g: MaxPoolShape): Promise<KernelDispatch>;
  /** dx from dy and the forward's winners `idx`. */
  backward(ctx: GpuContext, dy: Tensor, idx: Tensor, dx: Tensor, g: MaxPoolShape): Promise<KernelDispatch>;
}
export interface AvgPoolVersion extends Version<Pool2dGeom> {
  forward(ctx: GpuContext, x: Tensor, y: Tensor, g: Pool2dGeom): Promise<KernelDispatch>;
  backward(ctx: GpuContext, dy: Tensor, dx: Tensor, g: Pool2dGeom): Promise<KernelDispatch>;
}

/** The forward every version of a kind shares: plain (v1, v2) or with the ReLU fused (v3, v4). */
const forwardDef = (g: MaxPoolShape) => (g.relu ? MAX_RELU_FWD : MAX_FWD);
const encodeMaxForward = (ctx: GpuContext, x: Tensor, y: Tensor, idx: Tensor, g: MaxPoolShape) => run(ctx, forwardDef(g), g, { src: x, dst: y, idx }, outputs(g));
// The backward gathers over every input element, the most invocations of any pass.
const unfitV1 = (g: Pool2dGeom, limits: Limits) => flatGridUnfit(inputs(g), WG, limits);
const unfitScatter = (v: string) => (g: Pool2dGeom, limits: Limits) => (poolTiles(g) ? flatGridUnfit(outputs(g), WG, limits)
  : `${v} needs windows that tile the input: stride equal to the kernel and no padding (kernel ${g.KH}x${g.KW}, stride ${g.SH}x${g.SW}, padding ${g.PH}x${g.PW})`);
const noRelu = (g: MaxPoolShape) => (g.relu ? 'it does not fuse the ReLU before the pool; v3 and v4 do' : null);
const reluOnly = (g: MaxPoolShape) => (g.relu ? null : 'it always applies a ReLU before pooling, and this pool has none');

const bucket = (g: MaxPoolShape) => `${poolTiles(g) ? 'tiled' : 'overlapping'} k${g.KH}x${g.KW} s${g.SH}x${g.SW} ${pow2(g.N * g.C)}x${pow2(g.H)}x${pow2(g.W)}${g.relu ? ' relu' : ''}`;
const describe = (g: MaxPoolShape) => `[${g.N}, ${g.C}, ${g.H}, ${g.W}] window ${g.KH}x${g.KW} stride ${g.SH}x${g.SW} padding ${g.PH}x${g.PW}${g.relu ? ', ReLU fused' : ''}`;
// The conv output of the bench size, pooled 2x2 as in LeNet.
const benchShape = (z: { N: number; K: number; H: number; W: number }) => pool2dGeom([z.N, z.K, z.H, z.W], { kernel: Math.min(2, z.H, z.W) });

const gather = (ctx: GpuContext, dy: Tensor, idx: Tensor, dx: Tensor, g: Pool2dGeom) => run(ctx, MAX_BWD_V1, g, { src: dy, dst: dx, idx }, inputs(g));
const scatter = (ctx: GpuContext, dy: Tensor, idx: Tensor, dx: Tensor, g: Pool2dGeom) => run(ctx, MAX_BWD_V2, g, { src: dy, dst: dx, idx }, outputs(g));

export const maxPool2dFamily: Family<MaxPoolShape, MaxPoolVersion> = {
  name: 'maxpool2d',
  versions: [
    {
      name: 'v1', summary: 'backward gathers dy per input element from the windows covering it', kernels: [MAX_FWD, MAX_BWD_V1],
      unfit: (g, limits) => noRelu(g) ?? unfitV1(g, limits),
      forward: encodeMaxForward, backward: gather,
    },
    {
      name: 'v2', summary: 'backward scatters each window\'s dy to its winner (windows must tile: stride = kernel, no padding)', kernels: [MAX_FWD, MAX_BWD_V2],
      unfit: (g, limits) => noRelu(g) ?? unfitScatter('v2')(g, limits),
      forward: encodeMaxForward, backward: scatter,
    },
    {
      name: 'v3', summary: 'the ReLU before the pool fused into the forward; v1\'s gather backward', kernels: [MAX_RELU_FWD, MAX_BWD_V1],
      unfit: (g, limits) => reluOnly(g) ?? unfitV1(g, limits),
      forward: encodeMaxForward, backward: gather,
    },
    {
      name: 'v4', summary: 'the ReLU before the pool fused into the forward; v2\'s scatter backward (windows must tile)', kernels: [MAX_RELU_FWD, MAX_BWD_V2],
      unfit: (g, limits) => reluOnly(g) ?? unfitScatter('v4')(g, limits),
      forward: encodeMaxForward, backward: scatter,
    },
  ],
  // Where windows tile, one invocation per window beats a gather per input element.
  order: ['v4', 'v2', 'v3', 'v1'],
  bucket, describe,
  trial: async (ctx, v, g, { rand, out }) => {
    const x = rand([g.N, g.C, g.H, g.W]), y = out([g.N, g.C, g.OH, g.OW]), idx = out([g.N, g.C, g.OH, g.OW], 'u32');
    return [await v.forward(ctx, x, y, idx, g), await v.backward(ctx, rand([g.N, g.C, g.OH, g.OW]), idx, out([g.N, g.C, g.H, g.W]), g)];
  },
  benchShape,
  benchVariants: (z) => [{ label: 'relu', shape: { ...benchShape(z), relu: true } }],
};

export const avgPool2dFamily: Family<Pool2dGeom, AvgPoolVersion> = {
  name: 'avgpool2d',
  versions: [{
    name: 'v1', summary: 'one invocation per output (forward) or input element (backward, a gather)', kernels: [AVG_FWD, AVG_BWD],
    unfit: unfitV1,
    forward: (ctx, x, y, g) => run(ctx, AVG_FWD, g, { src: x, dst: y }, outputs(g)),
    backward: (ctx, dy, dx, g) => run(ctx, AVG_BWD, g, { src: dy, dst: dx }, inputs(g)),
  }],
  bucket, describe,
  trial: async (ctx, v, g, { rand, out }) => [
    await v.forward(ctx, rand([g.N, g.C, g.H, g.W]), out([g.N, g.C, g.OH, g.OW]), g),
    await v.backward(ctx, rand([g.N, g.C, g.OH, g.OW]), out([g.N, g.C, g.H, g.W]), g),
  ],
  benchShape,
};

/**
 * Max pooling (of relu(x) with args.relu); `idx` ([N,C,OH,OW] u32) records each window's winner
 * for the backward (none where the fused ReLU makes the output 0).
 */
export function maxPool2dForward(ctx: GpuContext, x: Tensor, y: Tensor, idx: Tensor, args: Pool2dArgs, version?: string): Promise<KernelDispatch> {
  expectRank('maxpool input', x, 4);
  const g = maxShape(x.shape, args);
  expectShape('maxpool output', y, [g.N, g.C, g.OH, g.OW]);
  expectShape('maxpool indices', idx, [g.N, g.C, g.OH, g.OW], 'u32');
  // The versions of a kind (plain, ReLU fused) share the forward, but a named version must fit the shape.
  if (version) return withVersion(ctx, maxPool2dFamily, g, version, (v) => v.forward(ctx, x, y, idx, g));
  const why = flatGridUnfit(outputs(g), WG, ctx.limits);
  if (why) throw new Error(`${forwardDef(g).name}: ${why}`);
  return encodeMaxForward(ctx, x, y, idx, g);
}

/** dx from dy and the forward's winners, with the version the context's policy chooses (or `version`). */
export function maxPool2dBackward(ctx: GpuContext, dy: Tensor, idx: Tensor, dx: Tensor, args: Pool2dArgs, version?: string): Promise<KernelDispatch> {
  expectRank('maxpool grad input', dx, 4);
  const g = maxShape(dx.shape, args);
  expectShape('maxpool grad output', dy, [g.N, g.C, g.OH, g.OW]);
  expectShape('maxpool indices', idx, [g.N, g.C, g.OH, g.OW], 'u32');
  return withVersion(ctx, maxPool2dFamily, g, version, (v) => v.backward(ctx, dy, idx, dx, g));
}

const noAvgRelu = (args: Pool2dArgs) => {
  if (args.relu) throw new Error('avgpool2d: a fused ReLU is for max pooling only');
};

export function avgPool2dForward(ctx: GpuContext, x: Tensor, y: Tensor, args: Pool2dArgs, version?: string): Promise<KernelDispatch> {
  noAvgRelu(args);
  expectRank('avgpool input', x, 4);
  const g = pool2dGeom(x.shape, args);
  expectShape('avgpool output', y, [g.N, g.C, g.OH, g.OW]);
  return withVersion(ctx, avgPool2dFamily, g, version, (v) => v.forward(ctx, x, y, g));
}

export function avgPool2dBackward(ctx: GpuContext, dy: Tensor, dx: Tensor, args: Pool2dArgs, version?: string): Promise<KernelDispatch> {
  noAvgRelu(args);
  expectRank('avgpool grad input', dx, 4);
  const g = pool2dGeom(dx.shape, args);
  expectShape('avgpool grad output', dy, [g.N, g.C, g.OH, g.OW]);
  return withVersion(ctx, avgPool2dFamily, g, version, (v) => v.backward(ctx, dy, dx, g));
}

import type { GpuContext } from '../gpu/context.js';
import type { Tensor } from '../gpu/buffers.js';
import { expectRank, expectShape, makeDispatch, packUniform, pair, positiveInt, type OpDispatch, type Pair } from './common.js';

export interface Pool2dArgs {
  kernel: Pair;
  /** Defaults to the kernel size, as in PyTorch. */
  stride?: Pair;
  padding?: Pair;
}

export interface Pool2dGeom { N: number; C: number; H: number; W: number; OH: number; OW: number; KH: number; KW: number; SH: number; SW: number; PH: number; PW: number }

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

const params = (g: Pool2dGeom) => packUniform([g.N, g.C, g.H, g.W, g.OH, g.OW, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW]);

/** Max pooling; `idx` ([N,C,OH,OW] u32) records each window's winner for the backward. */
export function maxPool2dForward(ctx: GpuContext, x: Tensor, y: Tensor, idx: Tensor, args: Pool2dArgs): Promise<OpDispatch> {
  expectRank('maxpool input', x, 4);
  const g = pool2dGeom(x.shape, args);
  expectShape('maxpool output', y, [g.N, g.C, g.OH, g.OW]);
  expectShape('maxpool indices', idx, [g.N, g.C, g.OH, g.OW], 'u32');
  return makeDispatch(ctx, 'pool2d.max_fwd.v1', { uniform: params(g), tensors: { 1: x, 2: y, 3: idx }, threads: g.N * g.C * g.OH * g.OW });
}

/** Whether windows tile the input (stride = kernel, no padding), which max_bwd.v2 needs. */
export const poolTiles = (g: Pool2dGeom) => g.SH === g.KH && g.SW === g.KW && g.PH === 0 && g.PW === 0;

/** dx from dy and the forward's winners; v2 (one invocation per window) by default where windows tile. */
export function maxPool2dBackward(ctx: GpuContext, dy: Tensor, idx: Tensor, dx: Tensor, args: Pool2dArgs, version?: 'v1' | 'v2'): Promise<OpDispatch> {
  expectRank('maxpool grad input', dx, 4);
  const g = pool2dGeom(dx.shape, args);
  expectShape('maxpool grad output', dy, [g.N, g.C, g.OH, g.OW]);
  expectShape('maxpool indices', idx, [g.N, g.C, g.OH, g.OW], 'u32');
  const v = version ?? (poolTiles(g) ? 'v2' : 'v1');
  if (v === 'v2' && !poolTiles(g)) throw new Error('pool2d.max_bwd.v2 needs stride equal to the kernel and no padding; use v1');
  const threads = v === 'v2' ? g.N * g.C * g.OH * g.OW : g.N * g.C * g.H * g.W;
  return makeDispatch(ctx, `pool2d.max_bwd.${v}`, { uniform: params(g), tensors: { 1: dy, 2: dx, 3: idx }, threads });
}

export function avgPool2dForward(ctx: GpuContext, x: Tensor, y: Tensor, args: Pool2dArgs): Promise<OpDispatch> {
  expectRank('avgpool input', x, 4);
  const g = pool2dGeom(x.shape, args);
  expectShape('avgpool output', y, [g.N, g.C, g.OH, g.OW]);
  return makeDispatch(ctx, 'pool2d.avg_fwd.v1', { uniform: params(g), tensors: { 1: x, 2: y }, threads: g.N * g.C * g.OH * g.OW });
}

export function avgPool2dBackward(ctx: GpuContext, dy: Tensor, dx: Tensor, args: Pool2dArgs): Promise<OpDispatch> {
  expectRank('avgpool grad input', dx, 4);
  const g = pool2dGeom(dx.shape, args);
  expectShape('avgpool grad output', dy, [g.N, g.C, g.OH, g.OW]);
  return makeDispatch(ctx, 'pool2d.avg_bwd.v1', { uniform: params(g), tensors: { 1: dy, 2: dx }, threads: g.N * g.C * g.H * g.W });
}

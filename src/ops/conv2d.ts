import type { GpuContext } from '../gpu/context.js';
import type { Tensor } from '../gpu/buffers.js';
import { expectRank, expectShape, makeDispatch, packUniform, pair, positiveInt, type OpDispatch, type Pair } from './common.js';

export interface Conv2dArgs {
  stride?: Pair;
  padding?: Pair;
}

export interface Conv2dGeom {
  N: number; C: number; H: number; W: number;
  K: number; KH: number; KW: number; OH: number; OW: number;
  SH: number; SW: number; PH: number; PW: number;
}

export function conv2dGeom(xShape: readonly number[], wShape: readonly number[], args: Conv2dArgs = {}): Conv2dGeom {
  if (xShape.length !== 4) throw new Error(`conv2d: input must be NCHW, got [${xShape.join(', ')}]`);
  if (wShape.length !== 4) throw new Error(`conv2d: weight must be [K, C, KH, KW], got [${wShape.join(', ')}]`);
  const [N, C, H, W] = xShape;
  const [K, WC, KH, KW] = wShape;
  if (WC !== C) throw new Error(`conv2d: weight has ${WC} input channels, input has ${C}`);
  const [SH, SW] = pair(args.stride ?? 1);
  const [PH, PW] = pair(args.padding ?? 0);
  positiveInt('conv2d stride', SH); positiveInt('conv2d stride', SW);
  positiveInt('conv2d padding', PH, 0); positiveInt('conv2d padding', PW, 0);
  const OH = Math.floor((H + 2 * PH - KH) / SH) + 1;
  const OW = Math.floor((W + 2 * PW - KW) / SW) + 1;
  if (OH < 1 || OW < 1) throw new Error(`conv2d: kernel ${KH}x${KW} does not fit input ${H}x${W} with padding ${PH},${PW}`);
  return { N, C, H, W, K, KH, KW, OH, OW, SH, SW, PH, PW };
}

const params = (g: Conv2dGeom) =>
  packUniform([g.N, g.C, g.H, g.W, g.K, g.KH, g.KW, g.OH, g.OW, g.SH, g.SW, g.PH, g.PW, 0, 0, 0]);
const macs = (g: Conv2dGeom) => g.N * g.K * g.OH * g.OW * g.C * g.KH * g.KW;

/** y = conv(x, w) + b; y is [N, K, OH, OW]. */
export function conv2dForward(ctx: GpuContext, x: Tensor, w: Tensor, b: Tensor, y: Tensor, args: Conv2dArgs = {}, version = 'v1'): Promise<OpDispatch> {
  expectRank('conv2d input', x, 4);
  expectRank('conv2d weight', w, 4);
  const g = conv2dGeom(x.shape, w.shape, args);
  expectShape('conv2d bias', b, [g.K]);
  expectShape('conv2d output', y, [g.N, g.K, g.OH, g.OW]);
  return makeDispatch(ctx, `conv2d.fwd.${version}`, {
    uniform: params(g), tensors: { 1: x, 2: w, 3: b, 4: y }, threads: g.N * g.K * g.OH * g.OW, flops: 2 * macs(g),
  });
}

/** dx = conv_transpose(dy, w); dx has x's shape. */
export function conv2dBackwardInput(ctx: GpuContext, dy: Tensor, w: Tensor, dx: Tensor, args: Conv2dArgs = {}, version = 'v1'): Promise<OpDispatch> {
  expectRank('conv2d grad input', dx, 4);
  const g = conv2dGeom(dx.shape, w.shape, args);
  expectShape('conv2d grad output', dy, [g.N, g.K, g.OH, g.OW]);
  return makeDispatch(ctx, `conv2d.bwd_input.${version}`, {
    uniform: params(g), tensors: { 1: dy, 2: w, 4: dx }, threads: g.N * g.C * g.H * g.W, flops: 2 * macs(g),
  });
}

/** dw (+)= correlation of x with dy; `accumulate` adds into dw instead of overwriting it. */
export function conv2dBackwardWeight(ctx: GpuContext, x: Tensor, dy: Tensor, dw: Tensor, args: Conv2dArgs = {}, opts: { accumulate?: boolean; version?: string } = {}): Promise<OpDispatch> {
  expectRank('conv2d input', x, 4);
  expectRank('conv2d grad weight', dw, 4);
  const g = conv2dGeom(x.shape, dw.shape, args);
  expectShape('conv2d grad output', dy, [g.N, g.K, g.OH, g.OW]);
  return makeDispatch(ctx, `conv2d.bwd_weight.${opts.version ?? 'v1'}`, {
    uniform: params(g), tensors: { 1: x, 2: dy, 4: dw }, threads: g.K * g.C * g.KH * g.KW,
    constants: { ACCUMULATE: opts.accumulate ? 1 : 0 }, flops: 2 * macs(g),
  });
}

// Register-blocked conv2d passes (conv2d_blocked.wgsl, conv2d_wgrad.wgsl). Each takes its scratch tensors from the
// caller so a training graph allocates them once.
import type { GpuContext } from '../gpu/context.js';
import type { Tensor } from '../gpu/buffers.js';
import { conv2dGeom, type Conv2dArgs, type Conv2dGeom } from './conv2d.js';
import { expectRank, expectShape, makeDispatch, packUniform, type OpDispatch } from './common.js';

const params = (g: Conv2dGeom, S = 0, NCH = 0) =>
  packUniform([g.N, g.C, g.H, g.W, g.K, g.KH, g.KW, g.OH, g.OW, g.SH, g.SW, g.PH, g.PW, S, NCH, 0]);
const q4 = (n: number) => Math.ceil(n / 4);
const macs = (g: Conv2dGeom) => g.N * g.K * g.OH * g.OW * g.C * g.KH * g.KW;

function forward(ctx: GpuContext, name: string, g: Conv2dGeom, x: Tensor, w: Tensor, b: Tensor, y: Tensor): Promise<OpDispatch> {
  return makeDispatch(ctx, name, { uniform: params(g), tensors: { 1: x, 2: w, 3: b, 4: y }, threads: g.N * q4(g.K) * g.OH * q4(g.OW), flops: 2 * macs(g) });
}

export function conv2dForwardV2(ctx: GpuContext, x: Tensor, w: Tensor, b: Tensor, y: Tensor, args: Conv2dArgs = {}): Promise<OpDispatch> {
  expectRank('conv2d input', x, 4);
  expectRank('conv2d weight', w, 4);
  const g = conv2dGeom(x.shape, w.shape, args);
  expectShape('conv2d bias', b, [g.K]);
  expectShape('conv2d output', y, [g.N, g.K, g.OH, g.OW]);
  return forward(ctx, 'conv2d.fwd.v2', g, x, w, b, y);
}

/** Whether the flipped-weight backward applies: stride 1 and padding below the kernel size. */
export function bwdInputV2Supported(args: Conv2dArgs, wShape: readonly number[]): boolean {
  const s = typeof args.stride === 'number' || args.stride === undefined ? [args.stride ?? 1, args.stride ?? 1] : args.stride;
  const pd = typeof args.padding === 'number' || args.padding === undefined ? [args.padding ?? 0, args.padding ?? 0] : args.padding;
  return s[0] === 1 && s[1] === 1 && pd[0] < wShape[2] && pd[1] < wShape[3];
}

/** Scratch for the stride-1 backward input pass: flipped weights [C,K,KH,KW] and zeros [C]. */
export const bwdInputScratchShapes = (wShape: readonly number[]) => ({ wt: [wShape[1], wShape[0], wShape[2], wShape[3]], zeros: [wShape[1]] });

/** dx = conv(dy, flip(w)) for stride 1: a weight flip, then the blocked forward kernel. */
export async function conv2dBackwardInputV2(ctx: GpuContext, dy: Tensor, w: Tensor, dx: Tensor, args: Conv2dArgs, scratch: { wt: Tensor; zeros: Tensor }): Promise<OpDispatch[]> {
  expectRank('conv2d grad input', dx, 4);
  if (!bwdInputV2Supported(args, w.shape)) throw new Error('conv2d.bwd_input.v2 needs stride 1 and padding smaller than the kernel; use v1');
  const g = conv2dGeom(dx.shape, w.shape, args);
  expectShape('conv2d grad output', dy, [g.N, g.K, g.OH, g.OW]);
  const sh = bwdInputScratchShapes(w.shape);
  expectShape('flipped weights', scratch.wt, sh.wt);
  expectShape('zero bias', scratch.zeros, sh.zeros);
  const flip = await makeDispatch(ctx, 'conv2d.flip_weight.v2', { uniform: params(g), tensors: { 2: w, 4: scratch.wt }, threads: g.K * g.C * g.KH * g.KW });
  // The transposed problem: input dy [N,K,OH,OW], weights [C,K,KH,KW], padding KH-1-PH.
  const t = conv2dGeom(dy.shape, scratch.wt.shape, { padding: [g.KH - 1 - g.PH, g.KW - 1 - g.PW] });
  if (t.OH !== g.H || t.OW !== g.W) throw new Error(`conv2d.bwd_input.v2: transposed geometry gives ${t.OH}x${t.OW}, expected ${g.H}x${g.W}`);
  return [flip, await forward(ctx, 'conv2d.bwd_input.v2', t, dy, scratch.wt, scratch.zeros, dx)];
}

/** Batch chunks for the weight gradient: enough invocations to fill the device, few partials. */
export function wgradChunks(N: number): { S: number; NCH: number } {
  const NCH = Math.max(1, Math.ceil(N / 16));
  return { S: Math.ceil(N / NCH), NCH };
}

export const wgradScratchShape = (N: number, wShape: readonly number[]) => [wgradChunks(N).S, ...wShape];

/** dw (+)= sum over the batch of dy (x) x: per-chunk partials, then a deterministic sum. */
export async function conv2dBackwardWeightV2(ctx: GpuContext, x: Tensor, dy: Tensor, dw: Tensor, args: Conv2dArgs, partial: Tensor, opts: { accumulate?: boolean } = {}): Promise<OpDispatch[]> {
  expectRank('conv2d input', x, 4);
  expectRank('conv2d grad weight', dw, 4);
  const g = conv2dGeom(x.shape, dw.shape, args);
  expectShape('conv2d grad output', dy, [g.N, g.K, g.OH, g.OW]);
  expectShape('weight-gradient partials', partial, wgradScratchShape(g.N, dw.shape));
  const { S, NCH } = wgradChunks(g.N);
  const taps = g.C * g.KH * g.KW;
  const u = params(g, S, NCH);
  return [
    await makeDispatch(ctx, 'conv2d.bwd_weight.v2', { uniform: u, tensors: { 1: x, 2: dy, 4: partial }, threads: S * q4(g.K) * q4(taps), flops: 2 * macs(g) }),
    await makeDispatch(ctx, 'conv2d.bwd_weight_sum.v2', { uniform: u, tensors: { 1: partial, 4: dw }, threads: g.K * taps, constants: { ACCUMULATE: opts.accumulate ? 1 : 0 }, flops: S * g.K * taps }),
  ];
}

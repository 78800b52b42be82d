import type { GpuContext } from '../gpu/context.js';
import { numel, type Tensor } from '../gpu/buffers.js';
import { expectShape, makeDispatch, packUniform, type OpDispatch } from './common.js';

export function checkRate(rate: number): number {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${rate}`);
  return rate;
}

/** Dropout params block; rewrite it (same layout) to change the seed each step without a rebuild. */
export const dropoutUniform = (n: number, seed: number, rate: number) => packUniform([n, seed >>> 0, { f: checkRate(rate) }, 0]);

/** y = x * mask, mask = 0 with probability `rate`, else 1/(1-rate); mask is kept for the backward. */
export function dropoutForward(ctx: GpuContext, x: Tensor, mask: Tensor, y: Tensor, rate: number, seed: number): Promise<OpDispatch> {
  expectShape('dropout mask', mask, x.shape);
  expectShape('dropout output', y, x.shape);
  const n = numel(x.shape);
  return makeDispatch(ctx, 'dropout.fwd.v1', { uniform: dropoutUniform(n, seed, rate), tensors: { 1: x, 2: mask, 3: y }, threads: n, flops: n });
}

export function dropoutBackward(ctx: GpuContext, dy: Tensor, mask: Tensor, dx: Tensor): Promise<OpDispatch> {
  expectShape('dropout mask', mask, dy.shape);
  expectShape('dropout grad input', dx, dy.shape);
  const n = numel(dy.shape);
  return makeDispatch(ctx, 'dropout.bwd.v1', { uniform: dropoutUniform(n, 0, 0), tensors: { 1: dy, 2: mask, 3: dx }, threads: n, flops: n });
}

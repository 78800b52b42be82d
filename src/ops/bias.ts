import type { GpuContext } from '../gpu/context.js';
import { numel, type Tensor } from '../gpu/buffers.js';
import { expectShape, makeDispatch, packUniform, type OpDispatch } from './common.js';

/** Views y as [N, C, S]: dim 1 is the channel dim, S the product of the dims after it. */
function view(y: Tensor): [number, number, number] {
  if (y.shape.length < 2) throw new Error(`bias: tensor must be at least 2-D [N, C, ...], got [${y.shape.join(', ')}]`);
  return [y.shape[0], y.shape[1], numel(y.shape.slice(2))];
}

/** y[n, c, ...] += b[c], in place. */
export function biasAdd(ctx: GpuContext, y: Tensor, b: Tensor): Promise<OpDispatch> {
  const [N, C, S] = view(y);
  expectShape('bias', b, [C]);
  return makeDispatch(ctx, 'bias.add.v1', { uniform: packUniform([N, C, S, 0]), tensors: { 1: b, 2: y }, threads: N * C * S, flops: N * C * S });
}

/**
 * db[c] (+)= sum of dy over every dim but the channel dim. v1: a workgroup tree sum per channel;
 * v2: one serial invocation per channel, the default where each channel sums at most 4,096 values.
 */
export function biasGrad(ctx: GpuContext, dy: Tensor, db: Tensor, opts: { accumulate?: boolean; version?: 'v1' | 'v2' } = {}): Promise<OpDispatch> {
  const [N, C, S] = view(dy);
  expectShape('bias grad', db, [C]);
  const version = opts.version ?? (N * S <= 4096 ? 'v2' : 'v1');
  const grid: [number, number, number] = version === 'v1' ? [C, 1, 1] : [Math.ceil(C / 64), 1, 1];
  if (grid[0] > ctx.limits.maxComputeWorkgroupsPerDimension) throw new Error(`bias grad: ${C} channels exceed the workgroup limit`);
  return makeDispatch(ctx, `bias.grad.${version}`, {
    uniform: packUniform([N, C, S, 0]), tensors: { 3: dy, 4: db }, grid,
    constants: { ACCUMULATE: opts.accumulate ? 1 : 0 }, flops: N * C * S,
  });
}

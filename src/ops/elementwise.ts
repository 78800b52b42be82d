import type { GpuContext } from '../gpu/context.js';
import { numel, type Tensor } from '../gpu/buffers.js';
import { expectShape, makeDispatch, packUniform, type OpDispatch } from './common.js';

const n = (t: Tensor) => numel(t.shape);

export function reluForward(ctx: GpuContext, x: Tensor, y: Tensor): Promise<OpDispatch> {
  expectShape('relu output', y, x.shape);
  return makeDispatch(ctx, 'relu.fwd.v1', { uniform: packUniform([n(x)]), tensors: { 1: x, 3: y }, threads: n(x), flops: n(x) });
}

/** dx = dy * (x > 0); x is the ReLU's input. */
export function reluBackward(ctx: GpuContext, x: Tensor, dy: Tensor, dx: Tensor): Promise<OpDispatch> {
  expectShape('relu grad output', dy, x.shape);
  expectShape('relu grad input', dx, x.shape);
  return makeDispatch(ctx, 'relu.bwd.v1', { uniform: packUniform([n(x)]), tensors: { 1: x, 2: dy, 3: dx }, threads: n(x), flops: n(x) });
}

/** out = a + b (same shapes; no broadcasting). */
export function add(ctx: GpuContext, a: Tensor, b: Tensor, out: Tensor): Promise<OpDispatch> {
  expectShape('add rhs', b, a.shape);
  expectShape('add output', out, a.shape);
  return makeDispatch(ctx, 'elementwise.add.v1', { uniform: packUniform([n(a)]), tensors: { 1: a, 2: b, 3: out }, threads: n(a), flops: n(a) });
}

/** out = alpha * a */
export function scale(ctx: GpuContext, a: Tensor, alpha: number, out: Tensor): Promise<OpDispatch> {
  expectShape('scale output', out, a.shape);
  return makeDispatch(ctx, 'elementwise.scale.v1', { uniform: packUniform([n(a), { f: alpha }]), tensors: { 1: a, 3: out }, threads: n(a), flops: n(a) });
}

/** out += alpha * a */
export function axpy(ctx: GpuContext, alpha: number, a: Tensor, out: Tensor): Promise<OpDispatch> {
  expectShape('axpy output', out, a.shape);
  return makeDispatch(ctx, 'elementwise.axpy.v1', { uniform: packUniform([n(a), { f: alpha }]), tensors: { 1: a, 3: out }, threads: n(a), flops: 2 * n(a) });
}

export function fill(ctx: GpuContext, out: Tensor, value: number): Promise<OpDispatch> {
  return makeDispatch(ctx, 'elementwise.fill.v1', { uniform: packUniform([n(out), { f: value }]), tensors: { 3: out }, threads: n(out) });
}

/** out[0] = sum(x) (or mean with `mean`); out is a 1-element tensor. */
export function reduceSum(ctx: GpuContext, x: Tensor, out: Tensor, opts: { mean?: boolean } = {}): Promise<OpDispatch> {
  expectShape('reduce output', out, [1]);
  if (n(x) === 0) throw new Error('reduce: empty input');
  return makeDispatch(ctx, 'reduce.sum.v1', {
    uniform: packUniform([n(x), { f: opts.mean ? 1 / n(x) : 1 }]), tensors: { 1: x, 2: out }, grid: [1, 1, 1], flops: n(x),
  });
}

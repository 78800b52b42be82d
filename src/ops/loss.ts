import type { GpuContext } from '../gpu/context.js';
import type { Tensor } from '../gpu/buffers.js';
import { expectRank, expectShape, makeDispatch, packUniform, type OpDispatch } from './common.js';

function rows(z: Tensor, labels: Tensor | null): [number, number] {
  expectRank('logits', z, 2);
  const [B, K] = z.shape;
  if (K < 1) throw new Error('logits: need at least one class');
  if (labels) expectShape('labels', labels, [B], 'u32');
  return [B, K];
}

/** loss[b] = cross-entropy of softmax(z[b]) against labels[b]. */
export function softmaxXentForward(ctx: GpuContext, z: Tensor, labels: Tensor, loss: Tensor): Promise<OpDispatch> {
  const [B, K] = rows(z, labels);
  expectShape('loss', loss, [B]);
  return makeDispatch(ctx, 'softmax_xent.fwd.v1', { uniform: packUniform([B, K, { f: 0 }]), tensors: { 1: z, 2: labels, 3: loss }, threads: B, flops: 4 * B * K });
}

/**
 * Loss rows and dz = gscale * (softmax(z) - onehot(labels)) in one pass.
 * gscale defaults to 1/B: the gradient of the mean loss over the batch.
 */
export function softmaxXentForwardBackward(ctx: GpuContext, z: Tensor, labels: Tensor, loss: Tensor, dz: Tensor, gscale?: number): Promise<OpDispatch> {
  const [B, K] = rows(z, labels);
  expectShape('loss', loss, [B]);
  expectShape('logits grad', dz, [B, K]);
  return makeDispatch(ctx, 'softmax_xent.fwd_bwd.v1', {
    uniform: packUniform([B, K, { f: gscale ?? 1 / B }]), tensors: { 1: z, 2: labels, 3: loss, 4: dz }, threads: B, flops: 6 * B * K,
  });
}

export function softmax(ctx: GpuContext, z: Tensor, probs: Tensor): Promise<OpDispatch> {
  const [B, K] = rows(z, null);
  expectShape('probabilities', probs, [B, K]);
  return makeDispatch(ctx, 'softmax_xent.softmax.v1', { uniform: packUniform([B, K, { f: 0 }]), tensors: { 1: z, 4: probs }, threads: B, flops: 4 * B * K });
}

export function argmax(ctx: GpuContext, z: Tensor, pred: Tensor): Promise<OpDispatch> {
  const [B, K] = rows(z, null);
  expectShape('predictions', pred, [B], 'u32');
  return makeDispatch(ctx, 'metrics.argmax.v1', { uniform: packUniform([B, K]), tensors: { 1: z, 3: pred }, threads: B, flops: B * K });
}

/** count[0] += rows whose argmax equals the label (count is a 1-element u32 tensor). */
export function countCorrect(ctx: GpuContext, z: Tensor, labels: Tensor, count: Tensor): Promise<OpDispatch> {
  const [B, K] = rows(z, labels);
  expectShape('correct count', count, [1], 'u32');
  return makeDispatch(ctx, 'metrics.correct.v1', { uniform: packUniform([B, K]), tensors: { 1: z, 2: labels, 4: count }, threads: B, flops: B * K });
}

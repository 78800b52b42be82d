import { describe, expect, it } from 'vitest';
import { argmax, countCorrect, softmax, softmaxXentForward, softmaxXentForwardBackward } from '../../src/ops/loss.js';
import { argmaxRef, softmaxXentRef } from '../../src/ref/dense.js';
import { uploadTensor } from '../../src/gpu/buffers.js';
import { randomInts, uniform } from '../../src/util/rng.js';
import { exec, gpu, output, read, readU32 } from '../helpers/gpu.js';
import { expectClose, expectEqual, FWD, GRAD } from '../helpers/check.js';

describe('softmax cross-entropy and metrics vs float64 reference', () => {
  it.each([[1, 1], [1, 10], [7, 10], [65, 3], [130, 17]])('B=%i K=%i', async (B, K) => {
    const ctx = await gpu();
    const zv = uniform(B * K, B * K, -4, 4);
    const lv = randomInts(B, B + K, K);
    const z = uploadTensor(ctx.device, zv, [B, K]), labels = uploadTensor(ctx.device, lv, [B]);
    const loss1 = output(ctx, [B]), loss2 = output(ctx, [B]), dz = output(ctx, [B, K]), probs = output(ctx, [B, K]);
    const pred = output(ctx, [B], 'u32');
    const count = uploadTensor(ctx.device, new Uint32Array([5]), [1]);
    await exec(ctx, softmaxXentForward(ctx, z, labels, loss1), softmaxXentForwardBackward(ctx, z, labels, loss2, dz),
      softmax(ctx, z, probs), argmax(ctx, z, pred), countCorrect(ctx, z, labels, count));
    const ref = softmaxXentRef(zv, lv, B, K);
    expectClose('loss (fwd)', await read(ctx, loss1), ref.loss, FWD.atol, FWD.rtol);
    expectClose('loss (fwd_bwd)', await read(ctx, loss2), ref.loss, FWD.atol, FWD.rtol);
    expectClose('dlogits', await read(ctx, dz), ref.dz, GRAD.atol, GRAD.rtol);
    expectClose('softmax', await read(ctx, probs), ref.probs, FWD.atol, FWD.rtol);
    const am = argmaxRef(zv, B, K);
    expectEqual('argmax', await readU32(ctx, pred), am);
    // The counter accumulates onto its previous value (5) so batches can be summed on the GPU.
    expectEqual('correct count', await readU32(ctx, count), [5 + am.filter((p, i) => p === lv[i]).length]);
  });

  it('stays finite for logits far outside exp range', async () => {
    const ctx = await gpu();
    const zv = new Float32Array([1000, -1000, 0, 500, 90, 89]);
    const lv = new Uint32Array([1, 0]);
    const z = uploadTensor(ctx.device, zv, [2, 3]), labels = uploadTensor(ctx.device, lv, [2]);
    const loss = output(ctx, [2]), dz = output(ctx, [2, 3]);
    await exec(ctx, softmaxXentForwardBackward(ctx, z, labels, loss, dz, 1));
    const ref = softmaxXentRef(zv, lv, 2, 3, 1);
    expectClose('loss', await read(ctx, loss), ref.loss, FWD.atol, FWD.rtol);
    expectClose('dlogits', await read(ctx, dz), ref.dz, GRAD.atol, GRAD.rtol);
  });

  it('writes NaN loss for a label outside [0, K) rather than a plausible number', async () => {
    const ctx = await gpu();
    const z = uploadTensor(ctx.device, new Float32Array([0.1, 0.2, 0.3]), [1, 3]);
    const labels = uploadTensor(ctx.device, new Uint32Array([3]), [1]);
    const loss = output(ctx, [1]);
    ctx.queue.writeBuffer(loss.buffer, 0, new Float32Array([0])); // NaN must come from the kernel, not the poison
    await exec(ctx, softmaxXentForward(ctx, z, labels, loss));
    expect(Number.isNaN((await read(ctx, loss))[0])).toBe(true);
  });

  it('checks label tensors', async () => {
    const ctx = await gpu();
    const z = uploadTensor(ctx.device, new Float32Array(6), [2, 3]);
    const bad = uploadTensor(ctx.device, new Float32Array(2), [2]);
    expect(() => softmaxXentForward(ctx, z, bad, output(ctx, [2]))).toThrow(/labels: expected u32/);
  });
});

import { describe, expect, it } from 'vitest';
import { softmax, softmaxXentFamily, softmaxXentForward, softmaxXentForwardBackward } from '../../src/kernels/softmax_xent/family.js';
import { softmaxXentChecks } from '../../src/kernels/softmax_xent/check.js';
import { softmaxXentRef } from '../../src/kernels/softmax_xent/ref.js';
import { uploadTensor } from '../../src/gpu/buffers.js';
import { exec, gpu, output, passes, read, rows } from '../helpers/gpu.js';
import { expectClose, FWD, GRAD } from '../helpers/check.js';

const versions = softmaxXentFamily.versions.map((v) => v.name);

describe('softmax_xent family vs float64 reference', () => {
  it.each(rows(softmaxXentChecks()))('%s', (_n, c) => passes(c));

  it.each(versions)('%s stays finite for logits far outside exp range', async (version) => {
    const ctx = await gpu();
    const zv = new Float32Array([1000, -1000, 0, 500, 90, 89]);
    const lv = new Uint32Array([1, 0]);
    const z = uploadTensor(ctx.device, zv, [2, 3]), labels = uploadTensor(ctx.device, lv, [2]);
    const loss = output(ctx, [2]), dz = output(ctx, [2, 3]), probs = output(ctx, [2, 3]);
    await exec(ctx, softmaxXentForwardBackward(ctx, z, labels, loss, dz, { gscale: 1, version }), softmax(ctx, z, probs, { version }));
    const ref = softmaxXentRef(zv, lv, 2, 3, 1);
    expectClose('loss', await read(ctx, loss), ref.loss, FWD.atol, FWD.rtol);
    expectClose('dlogits', await read(ctx, dz), ref.dz, GRAD.atol, GRAD.rtol);
    expectClose('softmax', await read(ctx, probs), ref.probs, FWD.atol, FWD.rtol);
  });

  it.each(versions)('%s writes NaN loss for a label outside [0, K) rather than a plausible number', async (version) => {
    const ctx = await gpu();
    const z = uploadTensor(ctx.device, new Float32Array([0.1, 0.2, 0.3]), [1, 3]);
    const labels = uploadTensor(ctx.device, new Uint32Array([3]), [1]);
    const loss1 = output(ctx, [1]), loss2 = output(ctx, [1]);
    // NaN must come from the kernel, not the poison.
    for (const l of [loss1, loss2]) ctx.queue.writeBuffer(l.buffer, 0, new Float32Array([0]));
    await exec(ctx, softmaxXentForward(ctx, z, labels, loss1, { version }), softmaxXentForwardBackward(ctx, z, labels, loss2, output(ctx, [1, 3]), { version }));
    expect(Number.isNaN((await read(ctx, loss1))[0])).toBe(true);
    expect(Number.isNaN((await read(ctx, loss2))[0])).toBe(true);
  });

  it('checks label tensors, shapes and versions', async () => {
    const ctx = await gpu();
    const z = uploadTensor(ctx.device, new Float32Array(6), [2, 3]);
    const bad = uploadTensor(ctx.device, new Float32Array(2), [2]);
    const labels = uploadTensor(ctx.device, new Uint32Array(2), [2]);
    expect(() => softmaxXentForward(ctx, z, bad, output(ctx, [2]))).toThrow(/labels: expected u32/);
    expect(() => softmaxXentForwardBackward(ctx, z, labels, output(ctx, [2]), output(ctx, [3, 2]))).toThrow(/logits grad: expected shape \[2, 3\]/);
    expect(() => softmaxXentForwardBackward(ctx, z, labels, output(ctx, [2]), output(ctx, [2, 3]), { gscale: NaN })).toThrow(/gradient scale must be finite/);
    expect(() => softmax(ctx, z, output(ctx, [2, 3]), { version: 'v9' })).toThrow(/softmax_xent has no version 'v9'/);
  });
});

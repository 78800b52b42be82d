import { describe, expect, it } from 'vitest';
import { softmax, softmaxXentFamily, softmaxXentForward, softmaxXentForwardBackward, softmaxXentStep } from '../../src/kernels/softmax_xent/family.js';
import { softmaxXentChecks } from '../../src/kernels/softmax_xent/check.js';
import { XENT_CASES } from '../../src/kernels/softmax_xent/cases.js';
import { softmaxXentRef } from '../../src/kernels/softmax_xent/ref.js';
import { createTensor, type Tensor } from '../../src/gpu/buffers.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { uploadTensor } from '../../src/gpu/buffers.js';
import { uniform } from '../../src/util/rng.js';
import { exec, gpu, output, passes, read, readU32, rows } from '../helpers/gpu.js';
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

/** The step's running totals, holding earlier batches' 0.5 and 3 (the step adds to them). */
function totals(ctx: GpuContext): { loss: Tensor; correct: Tensor } {
  return { loss: uploadTensor(ctx.device, new Float32Array([0.5]), [1]), correct: uploadTensor(ctx.device, new Uint32Array([3]), [1]) };
}
const scratch = (ctx: GpuContext) => (shape: readonly number[], dtype?: 'f32' | 'u32') => createTensor(ctx.device, shape, dtype);

describe('softmax_xent step (gradient, mean loss into the running sum, correct-count) vs float64 reference', () => {
  // Every version at every shape, with and without label smoothing, runs with the family's checks above.
  it('the shared checks hold the step at every shape and version, plain and with smoothing 0.1', () => {
    const steps = softmaxXentChecks().filter((c) => c.shape.includes('training step'));
    expect(steps).toHaveLength(versions.length * XENT_CASES.length * 2);
    expect(steps.filter((c) => c.shape.endsWith('label smoothing 0.1'))).toHaveLength(versions.length * XENT_CASES.length);
  });

  it('v2 is one dispatch, v1 four; v1 cannot smooth labels', async () => {
    const ctx = await gpu();
    const z = uploadTensor(ctx.device, uniform(12, 1), [4, 3]), labels = uploadTensor(ctx.device, new Uint32Array(4), [4]);
    const step = (version: string, smoothing = 0) => softmaxXentStep(ctx, z, labels, output(ctx, [4, 3]), totals(ctx), { version, smoothing, scratch: scratch(ctx) });
    expect((await step('v2')).map((d) => d.kernel)).toEqual(['softmax_xent.step.v2']);
    expect((await step('v1')).map((d) => d.kernel)).toEqual(['softmax_xent.fwd_bwd.v1', 'reduce.sum.v1', 'elementwise.axpy.v1', 'metrics.correct.v1']);
    expect(() => step('v1', 0.1)).toThrow('softmax_xent.v1: it has no label smoothing');
    expect(() => step('v2', 1)).toThrow('softmax_xent: label smoothing must be in [0, 1), got 1');
    expect(() => step('v2', -0.1)).toThrow('label smoothing must be in [0, 1), got -0.1');
    expect(() => softmaxXentStep(ctx, z, labels, output(ctx, [4, 3]), { loss: output(ctx, [2]), correct: output(ctx, [1], 'u32') }, { scratch: scratch(ctx) })).toThrow(/loss total: expected shape \[1\]/);
  });

  it.each(versions)('%s step: a tie counts the first maximum; a label outside [0, K) makes the total NaN', async (version) => {
    const ctx = await gpu();
    const z = uploadTensor(ctx.device, new Float32Array([1, 1, 0, 2, 0, 2]), [2, 3]);
    const t = totals(ctx);
    await exec(ctx, ...await softmaxXentStep(ctx, z, uploadTensor(ctx.device, new Uint32Array([0, 2]), [2]), output(ctx, [2, 3]), t, { version, scratch: scratch(ctx) }));
    expect((await readU32(ctx, t.correct))[0]).toBe(4);
    const bad = totals(ctx);
    await exec(ctx, ...await softmaxXentStep(ctx, z, uploadTensor(ctx.device, new Uint32Array([0, 3]), [2]), output(ctx, [2, 3]), bad, { version, scratch: scratch(ctx) }));
    expect(Number.isNaN((await read(ctx, bad.loss))[0])).toBe(true);
  });
});

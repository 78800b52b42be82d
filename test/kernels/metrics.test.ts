import { describe, expect, it } from 'vitest';
import { argmax, countCorrect, metricsFamily } from '../../src/kernels/metrics/family.js';
import { metricsChecks } from '../../src/kernels/metrics/check.js';
import { uploadTensor } from '../../src/gpu/buffers.js';
import { exec, gpu, output, passes, readU32, rows } from '../helpers/gpu.js';
import { expectEqual } from '../helpers/check.js';

const versions = metricsFamily.versions.map((v) => v.name);

describe('metrics family vs reference', () => {
  it.each(rows(metricsChecks()))('%s', (_n, c) => passes(c));

  it.each(versions)('%s takes the first of tied maxima', async (version) => {
    const ctx = await gpu();
    const z = uploadTensor(ctx.device, new Float32Array([1, 3, 3, 0, 2, 2, 2, 2, -1, -5, -1, -1]), [3, 4]);
    const pred = output(ctx, [3], 'u32');
    const count = uploadTensor(ctx.device, new Uint32Array([0]), [1]);
    await exec(ctx, argmax(ctx, z, pred, { version }), countCorrect(ctx, z, uploadTensor(ctx.device, new Uint32Array([1, 1, 0]), [3]), count, { version }));
    expectEqual('argmax', await readU32(ctx, pred), [1, 0, 0]);
    expectEqual('correct count', await readU32(ctx, count), [2]);
  });

  it('checks prediction, label and count tensors', async () => {
    const ctx = await gpu();
    const z = uploadTensor(ctx.device, new Float32Array(6), [2, 3]);
    const labels = uploadTensor(ctx.device, new Uint32Array(2), [2]);
    expect(() => argmax(ctx, z, output(ctx, [2]))).toThrow(/predictions: expected u32/);
    expect(() => countCorrect(ctx, z, output(ctx, [3], 'u32'), output(ctx, [1], 'u32'))).toThrow(/labels: expected shape \[2\]/);
    expect(() => countCorrect(ctx, z, labels, output(ctx, [2], 'u32'))).toThrow(/correct count: expected shape \[1\]/);
  });
});

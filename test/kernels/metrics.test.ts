import { describe, expect, it } from 'vitest';
import { argmax, countCorrect, metricsFamily } from '../../src/kernels/metrics/family.js';
import { METRICS_CASES } from '../../src/kernels/metrics/cases.js';
import { argmaxRef, correctRef } from '../../src/kernels/metrics/ref.js';
import { uploadTensor } from '../../src/gpu/buffers.js';
import { randomInts, uniform } from '../../src/util/rng.js';
import { exec, gpu, output, readU32 } from '../helpers/gpu.js';
import { expectEqual } from '../helpers/check.js';

const versions = metricsFamily.versions.map((v) => v.name);
const cases = metricsFamily.versions.flatMap((v) => METRICS_CASES.map((s) => [`${v.name} ${metricsFamily.describe(s)}`, v.name, s] as const));

describe('metrics family vs reference', () => {
  it.each(cases)('%s', async (_n, version, s) => {
    const ctx = await gpu();
    const { B, K } = s;
    const zv = uniform(B * K, B * K, -4, 4);
    const lv = randomInts(B, B + K, K);
    const z = uploadTensor(ctx.device, zv, [B, K]), labels = uploadTensor(ctx.device, lv, [B]);
    const pred = output(ctx, [B], 'u32');
    const count = uploadTensor(ctx.device, new Uint32Array([5]), [1]);
    const why = metricsFamily.versions.find((v) => v.name === version)!.unfit(s, ctx.limits);
    if (why) {
      expect(() => argmax(ctx, z, pred, { version })).toThrow(`metrics.${version}: ${why}`);
      return;
    }
    await exec(ctx, argmax(ctx, z, pred, { version }), countCorrect(ctx, z, labels, count, { version }));
    expectEqual('argmax', await readU32(ctx, pred), argmaxRef(zv, B, K));
    // The counter accumulates onto its previous value (5) so batches can be summed on the GPU.
    expectEqual('correct count', await readU32(ctx, count), [5 + correctRef(zv, lv, B, K)]);
  });

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

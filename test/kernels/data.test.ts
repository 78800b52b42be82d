import { describe, expect, it } from 'vitest';
import { MNIST_MEAN, MNIST_STD, permutation } from '../../src/data/gpu_dataset.js';
import { gatherBatch } from '../../src/kernels/data/family.js';
import { GATHER_CASES, type GatherCase } from '../../src/kernels/data/cases.js';
import { augmentOf, batchFailures, caseDataset, dataChecks } from '../../src/kernels/data/check.js';
import { CaseIO } from '../../src/selftest/io.js';
import { formatFailures } from '../../src/selftest/compare.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { exec, gpu, output, passes, rows } from '../helpers/gpu.js';

/** A seeded data set of the case's size, shuffled with seed 11 (the shared check's). */
function dataset(ctx: GpuContext, c: GatherCase) {
  const io = new CaseIO(ctx);
  return { ...caseDataset(io, c), io };
}

describe('data family: batch gather (+ augmentation) vs float64 twin', () => {
  it.each(rows(dataChecks()))('%s', (_n, c) => passes(c));

  it('GpuDataset.gather: the batch the trainer records, moved with set(start, seed)', async () => {
    const ctx = await gpu();
    for (const c of GATHER_CASES.filter((k) => k.aug)) {
      const { images, labels, ds, io } = dataset(ctx, c);
      const g = await ds.gather(c.B, augmentOf(c));
      g.set(c.start, 77);
      await exec(ctx, g.dispatch);
      expect(formatFailures(await batchFailures(io, c, images, labels, g.x, g.y))).toBe('');
      io.destroy();
    }
  });

  it('rejects parameters it cannot honour', async () => {
    const ctx = await gpu();
    const c = GATHER_CASES[0];
    const { ds, io } = dataset(ctx, c);
    const x = output(ctx, [c.B, 1, c.H, c.W]), y = output(ctx, [c.B], 'u32');
    const p = { start: 0, seed: 0, augment: null, mean: MNIST_MEAN, std: MNIST_STD };
    expect(() => gatherBatch(ctx, ds, x, y, { ...p, start: -1 })).toThrow(/batch start must be an integer >= 0/);
    expect(() => gatherBatch(ctx, ds, x, y, { ...p, std: 0 })).toThrow(/std > 0/);
    expect(() => gatherBatch(ctx, ds, x, y, { ...p, augment: { maxShift: 2, maxRot: 4, scaleJit: 0.1 } })).toThrow(/maxRot < pi/);
    expect(() => gatherBatch(ctx, ds, output(ctx, [c.B, 3, c.H, c.W]), y, p)).toThrow(/expected one channel/);
    expect(() => gatherBatch(ctx, ds, x, output(ctx, [c.B]), p)).toThrow(/gather labels: expected u32/);
    io.destroy();
  });

  it('permutations are seeded and complete', () => {
    const a = permutation(1000, 1), b = permutation(1000, 1), c = permutation(1000, 2);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});

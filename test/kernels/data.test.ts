import { describe, expect, it } from 'vitest';
import { GpuDataset, MNIST_MEAN, MNIST_STD, permutation } from '../../src/data/gpu_dataset.js';
import { dataFamily, gatherBatch, gatherSetBatch } from '../../src/kernels/data/family.js';
import { GATHER_CASES, type GatherCase } from '../../src/kernels/data/cases.js';
import { gatherRef } from '../../src/kernels/data/ref.js';
import { randomInts } from '../../src/util/rng.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { exec, gpu, output, read, readU32 } from '../helpers/gpu.js';
import { expectClose, expectEqual } from '../helpers/check.js';

const cases = dataFamily.versions.flatMap((v) => GATHER_CASES.map((c) => [`${v.name} ${JSON.stringify(c)}`, v.name, c] as const));
const augmentOf = (c: GatherCase) => (c.aug ? { maxShift: 2, maxRot: 0.3, scaleJit: 0.15 } : null);

function dataset(ctx: GpuContext, c: GatherCase) {
  const images = Uint8Array.from(randomInts(c.count * c.H * c.W, c.H + c.count, 256));
  const labels = Uint8Array.from(randomInts(c.count, 3, 10));
  const ds = new GpuDataset(ctx, { count: c.count, rows: c.H, cols: c.W, images, labels, classes: 10 });
  ds.shuffle(11);
  return { ds, images, labels };
}

async function expectBatch(ctx: GpuContext, c: GatherCase, images: Uint8Array, labels: Uint8Array, x: Parameters<typeof read>[1], y: Parameters<typeof read>[1]) {
  const augment = augmentOf(c);
  const ref = gatherRef(images, labels, permutation(c.count, 11), c.count, {
    B: c.B, start: c.start, H: c.H, W: c.W, mean: MNIST_MEAN, std: MNIST_STD, augment: augment ? { seed: 77, ...augment } : undefined,
  });
  // Augmented pixels: f32 sample positions (~1e-6 px) on noise of up to 255 levels per pixel.
  expectClose('x', await read(ctx, x), ref.x, c.aug ? 1e-4 : 1e-5, 1e-4);
  expectEqual('y', await readU32(ctx, y), ref.y);
}

describe('data family: batch gather (+ augmentation) vs float64 twin', () => {
  // Built at start 0, seed 0, then moved by name to the case's batch, as the trainer does each step.
  it.each(cases)('%s', async (_n, version, c) => {
    const ctx = await gpu();
    const { ds, images, labels } = dataset(ctx, c);
    const x = output(ctx, [c.B, 1, c.H, c.W]), y = output(ctx, [c.B], 'u32');
    const p = { start: 0, seed: 0, augment: augmentOf(c), mean: MNIST_MEAN, std: MNIST_STD };
    const why = dataFamily.versions.find((v) => v.name === version)!.unfit({ B: c.B, H: c.H, W: c.W, count: c.count, augment: c.aug }, ctx.limits);
    if (why) {
      expect(() => gatherBatch(ctx, ds, x, y, p, { version })).toThrow(`data.${version}: ${why}`);
      return;
    }
    const d = await gatherBatch(ctx, ds, x, y, p, { version });
    gatherSetBatch(d, c.start, 77);
    await exec(ctx, d);
    await expectBatch(ctx, c, images, labels, x, y);
    ds.destroy();
  });

  it('GpuDataset.gather: the batch the trainer records, moved with set(start, seed)', async () => {
    const ctx = await gpu();
    for (const c of GATHER_CASES.filter((k) => k.aug)) {
      const { ds, images, labels } = dataset(ctx, c);
      const g = await ds.gather(c.B, augmentOf(c));
      g.set(c.start, 77);
      await exec(ctx, g.dispatch);
      await expectBatch(ctx, c, images, labels, g.x, g.y);
      ds.destroy();
    }
  });

  it('rejects parameters it cannot honour', async () => {
    const ctx = await gpu();
    const c = GATHER_CASES[0];
    const { ds } = dataset(ctx, c);
    const x = output(ctx, [c.B, 1, c.H, c.W]), y = output(ctx, [c.B], 'u32');
    const p = { start: 0, seed: 0, augment: null, mean: MNIST_MEAN, std: MNIST_STD };
    expect(() => gatherBatch(ctx, ds, x, y, { ...p, start: -1 })).toThrow(/batch start must be an integer >= 0/);
    expect(() => gatherBatch(ctx, ds, x, y, { ...p, std: 0 })).toThrow(/std > 0/);
    expect(() => gatherBatch(ctx, ds, x, y, { ...p, augment: { maxShift: 2, maxRot: 4, scaleJit: 0.1 } })).toThrow(/maxRot < pi/);
    expect(() => gatherBatch(ctx, ds, output(ctx, [c.B, 3, c.H, c.W]), y, p)).toThrow(/expected one channel/);
    expect(() => gatherBatch(ctx, ds, x, output(ctx, [c.B]), p)).toThrow(/gather labels: expected u32/);
    ds.destroy();
  });

  it('permutations are seeded and complete', () => {
    const a = permutation(1000, 1), b = permutation(1000, 1), c = permutation(1000, 2);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});

import { describe, expect, it } from 'vitest';
import { GpuDataset, MNIST_MEAN, MNIST_STD, permutation } from '../../src/data/gpu_dataset.js';
import { gatherRef } from '../../src/ref/data.js';
import { randomInts } from '../../src/util/rng.js';
import { exec, gpu, read, readU32 } from '../helpers/gpu.js';
import { expectClose, expectEqual } from '../helpers/check.js';

describe('batch gather (+ augmentation) vs float64 twin', () => {
  const cases = [
    { H: 28, W: 28, count: 9, B: 4, start: 3, aug: false },
    { H: 5, W: 9, count: 7, B: 4, start: 5, aug: false }, // ragged tail: positions 7, 8 past the end
    { H: 28, W: 28, count: 9, B: 5, start: 2, aug: true },
    { H: 7, W: 11, count: 6, B: 6, start: 0, aug: true },
  ];
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', async (_n, c) => {
    const ctx = await gpu();
    const images = Uint8Array.from(randomInts(c.count * c.H * c.W, c.H + c.count, 256));
    const labels = Uint8Array.from(randomInts(c.count, 3, 10));
    const ds = new GpuDataset(ctx, { count: c.count, rows: c.H, cols: c.W, images, labels, classes: 10 });
    ds.shuffle(11);
    const augment = c.aug ? { maxShift: 2, maxRot: 0.3, scaleJit: 0.15 } : null;
    const g = await ds.gather(c.B, augment);
    g.set(c.start, 77);
    await exec(ctx, g.dispatch);
    const ref = gatherRef(images, labels, permutation(c.count, 11), c.count, {
      B: c.B, start: c.start, H: c.H, W: c.W, mean: MNIST_MEAN, std: MNIST_STD, augment: augment ? { seed: 77, ...augment } : undefined,
    });
    // Augmented pixels: f32 sample positions (~1e-6 px) on noise of up to 255 levels per pixel.
    expectClose('x', await read(ctx, g.x), ref.x, c.aug ? 1e-4 : 1e-5, 1e-4);
    expectEqual('y', await readU32(ctx, g.y), ref.y);
    ds.destroy();
  });

  it('permutations are seeded and complete', () => {
    const a = permutation(1000, 1), b = permutation(1000, 1), c = permutation(1000, 2);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});

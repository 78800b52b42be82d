// Steady-state training allocates nothing on the GPU: after the first epoch (pipelines, graphs,
// the evaluation runner), later epochs create no buffers and live bytes stay where they were.
import { describe, expect, it } from 'vitest';
import { train } from '../../src/train/trainer.js';
import type { ImageSet } from '../../src/data/idx.js';
import { gpu } from '../helpers/gpu.js';

const images = (n: number, seed: number): ImageSet => ({
  count: n, rows: 28, cols: 28, classes: 10,
  images: new Uint8Array(n * 784).map((_, i) => (Math.imul(i + seed, 2654435761) >>> 24) & 0xff),
  labels: new Uint8Array(n).map((_, i) => (i * 7 + seed) % 10),
});

describe('GPU memory over training', () => {
  it('epochs after the first create no buffers; live bytes are flat; everything is freed at the end', async () => {
    const ctx = await gpu();
    const m = ctx.memory;
    const before = { ...m };
    const seen: Array<typeof before> = [];
    await train(ctx, { source: 'synthetic', train: images(40, 1), test: images(30, 2) }, {
      model: 'lenet', epochs: 4, batch: 4, seed: 1, augment: false, logEvery: 3,
      optimizer: { type: 'adam', lr: 1e-3 }, schedule: { kind: 'cosine', warmup: 0 },
    }, { onEpoch: () => { seen.push({ ...m }); } });
    expect(seen.length).toBe(4);
    expect(seen[1].created - seen[0].created).toBe(0);
    expect(seen[3].created - seen[1].created).toBe(0);
    expect(seen[3].liveBytes).toBe(seen[0].liveBytes);
    // The model's own parameter buffers (weights, grads, two Adam slots) are all that is left.
    expect(m.liveBuffers - before.liveBuffers).toBe(4);
  });
});

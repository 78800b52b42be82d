// The batch gather's checks against its float64 twin, run by the vitest kernel tests and
// selftest: every version at every case, with and without augmentation. The dispatch is built at
// start 0, seed 0 and then moved by name to the case's batch, as the trainer does each step.
import { close, equal, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { GpuDataset, MNIST_MEAN, MNIST_STD, permutation } from '../../data/gpu_dataset.js';
import { randomInts } from '../../util/rng.js';
import type { Tensor } from '../../gpu/buffers.js';
import { dataFamily, gatherBatch, gatherSetBatch } from './family.js';
import { GATHER_CASES, type GatherCase } from './cases.js';
import { gatherRef } from './ref.js';

export const augmentOf = (c: GatherCase) => (c.aug ? { maxShift: 2, maxRot: 0.3, scaleJit: 0.15 } : null);

/** A seeded data set of the case's size, shuffled with seed 11. */
export function caseDataset(io: CaseIO, c: GatherCase) {
  const images = Uint8Array.from(randomInts(c.count * c.H * c.W, c.H + c.count, 256));
  const labels = Uint8Array.from(randomInts(c.count, 3, 10));
  const ds = io.own(new GpuDataset(io.ctx, { count: c.count, rows: c.H, cols: c.W, images, labels, classes: 10 }));
  ds.shuffle(11);
  return { ds, images, labels };
}

/** The batch at the case's start with augmentation seed 77, against the twin. */
export async function batchFailures(io: CaseIO, c: GatherCase, images: Uint8Array, labels: Uint8Array, x: Tensor, y: Tensor) {
  const augment = augmentOf(c);
  const ref = gatherRef(images, labels, permutation(c.count, 11), c.count, {
    B: c.B, start: c.start, H: c.H, W: c.W, mean: MNIST_MEAN, std: MNIST_STD, augment: augment ? { seed: 77, ...augment } : undefined,
  });
  // Augmented pixels: f32 sample positions (~1e-6 px) on noise of up to 255 levels per pixel.
  return failures(close('x', await io.read(x), ref.x, c.aug ? 1e-4 : 1e-5, 1e-4), equal('y', await io.readU32(y), ref.y));
}

async function gather(io: CaseIO, version: string, c: GatherCase) {
  const { ds, images, labels } = caseDataset(io, c);
  const x = io.output([c.B, 1, c.H, c.W]), y = io.output([c.B], 'u32');
  const p = { start: 0, seed: 0, augment: augmentOf(c), mean: MNIST_MEAN, std: MNIST_STD };
  const why = dataFamily.versions.find((v) => v.name === version)!.unfit({ B: c.B, H: c.H, W: c.W, count: c.count, augment: c.aug }, io.ctx.limits);
  if (why) return failures(await refuses('unfit', () => gatherBatch(io.ctx, ds, x, y, p, { version }), `data.${version}: ${why}`));
  const d = await gatherBatch(io.ctx, ds, x, y, p, { version });
  gatherSetBatch(d, c.start, 77);
  await io.exec(d);
  return batchFailures(io, c, images, labels, x, y);
}

export const dataChecks = (): Case[] => dataFamily.versions.flatMap((v) =>
  GATHER_CASES.map((c): Case => ({ group: 'data', name: v.name, shape: `${c.B} of ${c.count} images ${c.H}x${c.W} from ${c.start}${c.aug ? ', augmented' : ''}`, run: (io) => gather(io, v.name, c) })));

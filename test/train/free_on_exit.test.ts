// train() frees everything it allocated on every exit path, and evaluate() frees its graph and
// gather: the context's live buffer and byte counts return to where they were, after a run that
// diverges, one whose progress or epoch hook throws, and (once the caller frees the parameters
// it was handed) one that finishes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDir, type Split } from '../../src/data/mnist.js';
import { take } from '../../src/data/idx.js';
import { GpuDataset } from '../../src/data/gpu_dataset.js';
import { Sequential } from '../../src/nn/model.js';
import { PRESETS } from '../../src/nn/presets.js';
import { DivergedError, train, type TrainConfig, type TrainHooks } from '../../src/train/trainer.js';
import { evaluate } from '../../src/train/evaluate.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { nodeContext } from '../helpers/gpu.js';
import { SelectionPolicy } from '../../src/kernels/select.js';

const dir = process.env.MNIST_DIR;
const cfg = (lr: number): TrainConfig => ({
  model: 'lenet', epochs: 1, batch: 16, seed: 1, augment: false, logEvery: 2,
  optimizer: { type: 'sgd', lr, momentum: 0.9 }, schedule: { kind: 'constant' },
});
const live = (ctx: GpuContext) => ({ buffers: ctx.memory.liveBuffers, bytes: ctx.memory.liveBytes });

describe.skipIf(!dir)('GPU memory on every exit path (MNIST_DIR)', () => {
  let split: Split;
  let context: Promise<GpuContext>;
  // Autotune off: timing every version of LeNet's layers would be most of this file's time.
  const gpu = () => (context ??= nodeContext({ selection: new SelectionPolicy({ autotune: false }) }));
  beforeAll(async () => {
    const full = await loadDir(dir!);
    split = { ...full, train: take(full.train, 160), test: take(full.test, 48) };
  });
  afterAll(async () => (await context)?.destroy());

  class HookError extends Error {}
  const cases: Array<[string, number, TrainHooks, (e: unknown) => boolean]> = [
    ['a diverged run (huge lr)', 1e6, {}, (e) => e instanceof DivergedError],
    ['a progress hook that throws', 0.01, { onProgress: () => { throw new HookError('stop'); } }, (e) => e instanceof HookError],
    ['an epoch hook that throws', 0.01, { onEpoch: () => { throw new HookError('stop'); } }, (e) => e instanceof HookError],
  ];
  it.each(cases)('train(): %s', async (_n, lr, hooks, expected) => {
    const ctx = await gpu();
    const before = live(ctx);
    const err = await train(ctx, split, cfg(lr), hooks).then(() => null, (e: unknown) => e);
    expect(expected(err), String(err)).toBe(true);
    expect(live(ctx)).toEqual(before);
  });

  it('train(): a finished run leaves only the parameters it returns', async () => {
    const ctx = await gpu();
    const before = live(ctx);
    const { model } = await train(ctx, split, cfg(0.01));
    model.store.destroy();
    expect(live(ctx)).toEqual(before);
  });

  it('evaluate()', async () => {
    const ctx = await gpu();
    const model = new Sequential(PRESETS.lenet);
    model.store.materialize(ctx, model.store.initialValues(1));
    const ds = new GpuDataset(ctx, split.test);
    try {
      const before = live(ctx);
      const r = await evaluate(ctx, model, ds, 16);
      expect(r.preds.length).toBe(split.test.count);
      expect(live(ctx)).toEqual(before);
    } finally {
      ds.destroy();
      model.store.destroy();
    }
  });
});

// A BatchNorm model end to end on a small MNIST subset (MNIST_DIR): conv, batchnorm2d, relu, pool,
// flatten, linear, batchnorm1d, relu, linear trains a few steps; its model file (running
// statistics included) reloads, in process and through `evaluate` in the CLI, to the same
// predictions as the in-memory model, which the running statistics change; train()'s epoch
// snapshot carries the running statistics its test accuracy was measured with. The optimizer and
// weight decay never touch the running statistics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDir, type Split } from '../../src/data/mnist.js';
import { take } from '../../src/data/idx.js';
import { GpuDataset } from '../../src/data/gpu_dataset.js';
import { Sequential, type ModelSpec } from '../../src/nn/model.js';
import { createOptimizer, type OptimizerConfig } from '../../src/optim/optimizer.js';
import { TrainStep } from '../../src/train/step.js';
import { evaluate } from '../../src/train/evaluate.js';
import { decodeCheckpoint, decodeModel, encodeCheckpoint, encodeModel, type Checkpoint } from '../../src/train/model_file.js';
import { train, type TrainConfig } from '../../src/train/trainer.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { createNodeContext } from '../../src/gpu/node.js';
import { SelectionPolicy } from '../../src/kernels/select.js';

const CLI = resolve('dist/cli/main.js');
const SPEC: ModelSpec = {
  name: 'bn-small', input: [1, 28, 28], classes: 10,
  layers: [{ type: 'conv2d', in: 1, out: 8, kernel: 3, padding: 1 }, { type: 'batchnorm2d' }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
    { type: 'flatten' }, { type: 'linear', in: 8 * 14 * 14, out: 32 }, { type: 'batchnorm1d' }, { type: 'relu' }, { type: 'linear', in: 32, out: 10 }],
};
const BATCH = 32, TEST = 300;

let split: Split;
let context: Promise<GpuContext> | undefined;
// Autotune off and batchnorm v2 (the faster on a CPU) forced: the same kernels in the CLI's evaluate below.
const gpu = () => (context ??= createNodeContext({ selection: new SelectionPolicy({ autotune: false, forced: { batchnorm: 'v2' } }) }));

beforeAll(async () => {
  if (!process.env.MNIST_DIR) throw new Error('MNIST_DIR is not set; run with MNIST_DIR=../shared/data/mnist (as .ci/run does)');
  const full = await loadDir(process.env.MNIST_DIR);
  split = { ...full, train: take(full.train, 1024), test: take(full.test, TEST) };
});
afterAll(async () => (await context)?.destroy());

/** `steps` training steps of a fresh model; returns it with its parameters on the GPU (the caller frees them). */
async function trainSteps(ctx: GpuContext, spec: ModelSpec, steps: number, optimizer: OptimizerConfig): Promise<Sequential> {
  const model = new Sequential(spec);
  model.store.materialize(ctx, model.store.initialValues(1));
  const ds = new GpuDataset(ctx, split.train);
  const gather = await ds.gather(BATCH, null);
  const opt = await createOptimizer(ctx, model.store, optimizer);
  const step = await TrainStep.build(ctx, model, gather.x, gather.y, opt, 1, [gather.dispatch]);
  ds.shuffle(1);
  for (let t = 1; t <= steps; t++) {
    gather.set(((t - 1) * BATCH) % (ds.count - BATCH + 1), t);
    step.prepare(t, optimizer.lr, 1);
    step.run();
  }
  await ctx.queue.onSubmittedWorkDone();
  step.destroy();
  opt.dispatch.uniform.destroy();
  for (const b of [gather.x.buffer, gather.y.buffer, gather.dispatch.uniform]) b.destroy();
  ds.destroy();
  return model;
}

async function evaluateOn(ctx: GpuContext, model: Sequential) {
  const ds = new GpuDataset(ctx, split.test);
  try {
    return await evaluate(ctx, model, ds);
  } finally {
    ds.destroy();
  }
}

/** A model rebuilt from `state` (parameters, then buffers), as evaluate/predict/the draw page load one. */
function load(ctx: GpuContext, bytes: Uint8Array): Sequential {
  const { model, weights } = decodeModel(bytes, 'bn.safetensors');
  model.store.materialize(ctx, weights, 0);
  return model;
}

describe('a BatchNorm model on MNIST (MNIST_DIR)', () => {
  it('trains, saves, reloads and evaluates with its running statistics as in memory (in process and in the CLI)', async () => {
    const ctx = await gpu();
    const model = await trainSteps(ctx, SPEC, 30, { type: 'adam', lr: 0.003 });
    const saved: Sequential[] = [model];
    try {
      const mem = await evaluateOn(ctx, model);
      expect(mem.accuracy, 'a few steps of training').toBeGreaterThan(0.6);
      const state = await model.store.readState(ctx.device);
      const bytes = encodeModel(SPEC, model.store, state);
      const { store } = model;
      // The running statistics moved off their initial 0 and 1.
      const running = state.subarray(store.size);
      const init = store.initialValues(1).subarray(store.size);
      expect(running.some((v, i) => Math.abs(v - init[i]) > 1e-3)).toBe(true);

      const reloaded = load(ctx, bytes);
      saved.push(reloaded);
      const back = await evaluateOn(ctx, reloaded);
      expect(back.accuracy).toBe(mem.accuracy);
      expect(back.probs).toEqual(mem.probs);

      // The same file with its running statistics reset predicts otherwise: they are what the test above carried.
      const reset = state.slice();
      reset.set(init, store.size);
      const fresh = load(ctx, encodeModel(SPEC, store, reset));
      saved.push(fresh);
      expect((await evaluateOn(ctx, fresh)).probs).not.toEqual(mem.probs);

      if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm test builds it first (pretest)`);
      const dir = mkdtempSync(join(tmpdir(), 'cnn-bn-'));
      writeFileSync(join(dir, 'bn.safetensors'), bytes);
      const r = spawnSync('node', [CLI, 'evaluate', '--model', 'bn.safetensors', '--test-limit', String(TEST), '--autotune', 'off', '--kernels', 'batchnorm=v2', '--quiet'],
        { cwd: dir, encoding: 'utf8', env: { ...process.env }, timeout: 300_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`accuracy ${(100 * mem.accuracy).toFixed(2)}% on ${TEST} test images`);
      expect(readFileSync(join(dir, 'bn.safetensors'))).toEqual(Buffer.from(bytes));
    } finally {
      for (const m of saved) m.store.destroy();
    }
  });

  it('train(): the epoch snapshot (checkpoint and model file) carries the running statistics its test accuracy was measured with', async () => {
    const ctx = await gpu();
    // train() takes an architecture from a checkpoint (presets otherwise): this one starts at epoch 0.
    const store = new Sequential(SPEC).store;
    const start: Checkpoint = { spec: SPEC, weights: store.initialValues(1), slots: [], optimizer: { type: 'adam', lr: 0.003 }, epoch: 0, step: 0, config: {} };
    const cfg: TrainConfig = { model: SPEC.name, epochs: 1, batch: BATCH, seed: 1, augment: false, logEvery: 8, optimizer: start.optimizer, schedule: { kind: 'constant' } };
    let epoch: { acc: number; ckpt: Uint8Array; model: Uint8Array } | undefined;
    const { model } = await train(ctx, { ...split, train: take(split.train, 256) }, cfg, {
      onEpoch: async (r, snapshot) => {
        const c = await snapshot();
        epoch = { acc: r.testAcc, ckpt: encodeCheckpoint(c, store), model: encodeModel(c.spec, store, c.weights) };
      },
    }, start);
    model.store.destroy();
    const back = decodeCheckpoint(epoch!.ckpt, 'bn.ckpt');
    const init = store.initialValues(1).subarray(store.size);
    expect(back.weights.subarray(store.size).some((v, i) => Math.abs(v - init[i]) > 1e-3)).toBe(true);
    const reloaded = load(ctx, epoch!.model);
    try {
      expect((await evaluateOn(ctx, reloaded)).accuracy).toBe(epoch!.acc);
    } finally {
      reloaded.store.destroy();
    }
  });

  it('a model that opens with batchnorm2d and globalavgpool2d trains: the convolution after it plans its input gradient', async () => {
    const ctx = await gpu();
    const spec: ModelSpec = { name: 'bn-first', input: [1, 28, 28], classes: 10,
      layers: [{ type: 'batchnorm2d' }, { type: 'conv2d', in: 1, out: 4, kernel: 3 }, { type: 'relu' }, { type: 'globalavgpool2d' }, { type: 'linear', in: 4, out: 10 }] };
    const model = await trainSteps(ctx, spec, 3, { type: 'sgd', lr: 0.1, momentum: 0 });
    try {
      const { store } = model, state = await store.readState(ctx.device), init = store.initialValues(1);
      expect(state.every(Number.isFinite)).toBe(true);
      const gamma = store.params[0]; // 0.batchnorm2d.weight: moved only if the gradient reached through the conv
      expect(gamma.name).toBe('0.batchnorm2d.weight');
      expect(state[gamma.offset]).not.toBe(init[gamma.offset]);
    } finally {
      model.store.destroy();
    }
  });

  it('the optimizer and weight decay leave the running statistics alone (momentum 0: only the optimizer could move them)', async () => {
    const ctx = await gpu();
    const frozen: ModelSpec = { ...SPEC, layers: SPEC.layers.map((l) => (l.type.startsWith('batchnorm') ? { ...l, momentum: 0 } : l)) };
    const model = await trainSteps(ctx, frozen, 5, { type: 'adamw', lr: 0.01, weightDecay: 0.5 });
    try {
      const { store } = model, init = store.initialValues(1);
      const state = await store.readState(ctx.device);
      expect(Array.from(state.subarray(store.size))).toEqual(Array.from(init.subarray(store.size)));
      const gamma = store.params.find((p) => p.name === '1.batchnorm2d.weight')!;
      expect(Array.from(state.subarray(gamma.offset, gamma.offset + 8))).not.toEqual(Array.from(init.subarray(gamma.offset, gamma.offset + 8)));
    } finally {
      model.store.destroy();
    }
  });
});

import type { GpuContext } from '../gpu/context.js';
import { readTensor } from '../gpu/buffers.js';
import { GpuDataset, DEFAULT_AUGMENT } from '../data/gpu_dataset.js';
import type { Split } from '../data/mnist.js';
import { Sequential, type ModelSpec } from '../nn/model.js';
import { PRESETS } from '../nn/presets.js';
import { createOptimizer, type OptimizerConfig } from '../optim/optimizer.js';
import { lrAt, type ScheduleConfig } from '../optim/schedule.js';
import { AccuracyRunner } from './evaluate.js';
import { TrainStep } from './step.js';
import type { Checkpoint } from './model_file.js';

export interface TrainConfig {
  model: string;
  epochs: number;
  batch: number;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  seed: number;
  augment: boolean;
  /** Read loss/accuracy back every this many steps (the only readbacks while training). */
  logEvery: number;
}

export interface Progress { epoch: number; epochs: number; step: number; steps: number; loss: number; acc: number; imagesPerSec: number; etaSec: number; lr: number }
export interface EpochResult { epoch: number; trainLoss: number; trainAcc: number; testAcc: number; seconds: number; imagesPerSec: number }

export interface TrainHooks {
  /** Once the step and evaluation graphs are built: the kernel versions they use, in one line. */
  onReady?(versions: string): void;
  onProgress?(p: Progress): void;
  /** After each epoch, with a snapshot the caller can save (checkpoint + model). */
  onEpoch?(r: EpochResult, snapshot: () => Promise<Checkpoint>): Promise<void> | void;
}

export class DivergedError extends Error {}

/**
 * Divergence: the mean cross-entropy over a logging window is NaN/Inf or above this. An untrained
 * model starts near ln(classes) (2.3 for 10); a mean of 1000 needs logits about 1000 apart in
 * favour of wrong classes, so the weights have blown up (a huge finite loss, not yet NaN).
 */
export const DIVERGED_LOSS = 1000;

/**
 * How a window's mean loss shows divergence, or null. NaN and both infinities count: once weights
 * blow up, SwiftShader's exp(NaN) gives +Inf and its max(NaN, 0) gives 0 where a GPU may give NaN,
 * so the same run can end in any of them.
 */
export function divergence(mean: number): string | null {
  if (!Number.isFinite(mean)) return String(mean);
  return mean > DIVERGED_LOSS ? `${mean.toPrecision(3)} (above ${DIVERGED_LOSS}, diverged)` : null;
}

export function resolveSpec(name: string): ModelSpec {
  const spec = PRESETS[name];
  if (!spec) throw new Error(`unknown model '${name}' (presets: ${Object.keys(PRESETS).join(', ')})`);
  return spec;
}

/** Trains on the GPU; every step is one submit with no readback except the periodic metrics. */
export async function train(ctx: GpuContext, split: Split, cfg: TrainConfig, hooks: TrainHooks = {}, resume?: Checkpoint): Promise<{ model: Sequential; results: EpochResult[] }> {
  const spec = resume?.spec ?? resolveSpec(cfg.model);
  const model = new Sequential(spec);
  const store = model.store;
  store.materialize(ctx, resume?.weights ?? store.initialValues(cfg.seed));
  resume?.slots.forEach((s, i) => ctx.queue.writeBuffer(store.slots[i], 0, s.buffer, s.byteOffset, s.byteLength));
  // Everything made here is freed on every exit path; on a throw (divergence, a device error, the
  // train page's Stop) the parameters too, since no caller gets the model then.
  const owned: Array<{ destroy(): void }> = [];
  let ok = false;
  try {
    const trainDs = own(new GpuDataset(ctx, split.train)), testDs = own(new GpuDataset(ctx, split.test));
    const gather = await trainDs.gather(cfg.batch, cfg.augment ? DEFAULT_AUGMENT : null);
    own({ destroy: () => { for (const b of [gather.x.buffer, gather.y.buffer, gather.dispatch.uniform]) b.destroy(); } });
    const opt = await createOptimizer(ctx, store, cfg.optimizer);
    own({ destroy: () => opt.dispatch.uniform.destroy() });
    const step = own(await TrainStep.build(ctx, model, gather.x, gather.y, opt, cfg.seed, [gather.dispatch]));
    const testAcc = own(await AccuracyRunner.create(ctx, model, testDs));
    hooks.onReady?.(ctx.select.summary());
    const steps = Math.floor(trainDs.count / cfg.batch);
    if (steps < 1) throw new Error(`batch ${cfg.batch} is larger than the ${trainDs.count} training images`);
    const total = steps * cfg.epochs;
    let t = resume?.step ?? 0;
    const results: EpochResult[] = [];
    const started = performance.now();
    const firstT = t;
    for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= cfg.epochs; epoch++) {
      const t0 = performance.now();
      trainDs.shuffle(cfg.seed * 1000 + epoch);
      let lossSum = 0, correct = 0, seen = 0, window = 0;
      for (let s = 0; s < steps; s++) {
        t++;
        const lr = lrAt(cfg.optimizer.lr, cfg.schedule, t - 1, total, steps);
        gather.set(s * cfg.batch, (cfg.seed * 0x9e3779b1 + t) >>> 0);
        step.prepare(t, lr, cfg.seed);
        step.run();
        window++;
        if (window === cfg.logEvery || s === steps - 1) {
          const m = await step.readMetrics();
          step.resetMetrics();
          const mean = m.lossSum / window;
          const why = divergence(mean);
          if (why) throw new DivergedError(`loss became ${why} at epoch ${epoch}, step ${s + 1}; lower the learning rate`);
          lossSum += m.lossSum; correct += m.correct; seen += window;
          const el = (performance.now() - started) / 1000;
          const ips = ((t - firstT) * cfg.batch) / el;
          hooks.onProgress?.({ epoch, epochs: cfg.epochs, step: s + 1, steps, loss: mean, acc: m.correct / (window * cfg.batch), imagesPerSec: ips, etaSec: ((total - t) * cfg.batch) / ips, lr });
          window = 0;
        }
      }
      const acc = await testAcc.run();
      const seconds = (performance.now() - t0) / 1000;
      const r: EpochResult = { epoch, trainLoss: lossSum / seen, trainAcc: correct / (seen * cfg.batch), testAcc: acc, seconds, imagesPerSec: (steps * cfg.batch) / seconds };
      results.push(r);
      const snapshot = async (): Promise<Checkpoint> => ({
        // The checkpoint's own test accuracy lets --resume tell whether the model file should hold it.
        spec, epoch, step: t, optimizer: cfg.optimizer, config: { ...cfg, testAccuracy: acc },
        weights: await readTensor(ctx.device, store.flat(store.weights)),
        slots: await Promise.all(store.slots.map((b) => readTensor(ctx.device, store.flat(b)))),
      });
      await hooks.onEpoch?.(r, snapshot);
    }
    ok = true;
    return { model, results };
  } finally {
    for (const o of owned.reverse()) o.destroy();
    if (!ok) store.destroy();
  }

  function own<T extends { destroy(): void }>(o: T): T {
    owned.push(o);
    return o;
  }
}

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
import { ESTIMATE_STEPS, runSeconds, type Reached, type RunEstimate, type SetupTimes } from './clock.js';

export interface TrainConfig {
  /** A preset's name, or the name of `spec` when the architecture came from elsewhere (a file). */
  model: string;
  /** The architecture itself, when not a preset (--model file.json); a resumed run uses the checkpoint's. */
  spec?: ModelSpec;
  epochs: number;
  batch: number;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  seed: number;
  augment: boolean;
  /** Read loss/accuracy back every this many steps (the only readbacks while training). */
  logEvery: number;
  /** Label smoothing eps in [0, 1): cross-entropy against (1 - eps) onehot + eps / classes; 0 or absent: none. */
  labelSmoothing?: number;
  /** Stop as soon as a test evaluation reaches this accuracy (a fraction in (0, 1]). */
  targetAcc?: number;
  /** Evaluate on the test set every this many steps too (default with targetAcc: half an epoch). */
  evalEvery?: number;
}

export interface Progress { epoch: number; epochs: number; step: number; steps: number; loss: number; acc: number; imagesPerSec: number; etaSec: number; lr: number }
/** `stoppedAt`: the steps done when a run reached its target before the epoch's end. */
export interface EpochResult { epoch: number; trainLoss: number; trainAcc: number; testAcc: number; seconds: number; imagesPerSec: number; stoppedAt?: number }
/** A test evaluation: after `step` of `steps` in `epoch`, `seconds` into training (see RunClock). */
export interface EvalPoint { epoch: number; step: number; steps: number; acc: number; seconds: number }

export interface TrainHooks {
  /** Once the step and evaluation graphs are built: the kernel versions they use, in one line. */
  onReady?(versions: string): void;
  onProgress?(p: Progress): void;
  /** The one-off costs before the first step, which time-to-accuracy leaves out. */
  onSetup?(t: SetupTimes): void;
  /** Given, the first steps are timed (a queue sync each) for an estimate of the whole run. */
  onEstimate?(e: RunEstimate): void;
  /** Every test evaluation (evalEvery steps and each epoch's end). */
  onEval?(p: EvalPoint): void;
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

/** An architecture from a file may expect other images or fewer classes than the data set has. */
function checkFits(spec: ModelSpec, split: Split): void {
  const { rows, cols, classes } = split.train, want = [1, rows, cols];
  if (spec.input.join() !== want.join()) throw new Error(`model ${spec.name} takes [${spec.input.join(', ')}] images; the data set's are [${want.join(', ')}]`);
  if (spec.classes < classes) throw new Error(`model ${spec.name} has ${spec.classes} classes; the data set has ${classes}`);
}

export interface TrainResult { model: Sequential; results: EpochResult[]; setup: SetupTimes; reached?: Reached }

/**
 * Trains on the GPU; every step is one submit with no readback except the periodic metrics and
 * the test evaluations (one correct-count readback each). With targetAcc it stops at the first
 * evaluation that reaches it, saving that state as the (partial) epoch's result.
 */
export async function train(ctx: GpuContext, split: Split, cfg: TrainConfig, hooks: TrainHooks = {}, resume?: Checkpoint): Promise<TrainResult> {
  const spec = resume?.spec ?? cfg.spec ?? resolveSpec(cfg.model);
  checkFits(spec, split);
  const model = new Sequential(spec);
  const store = model.store;
  store.materialize(ctx, resume?.weights ?? store.initialValues(cfg.seed));
  resume?.slots.forEach((s, i) => ctx.queue.writeBuffer(store.slots[i], 0, s.buffer, s.byteOffset, s.byteLength));
  // Everything made here is freed on every exit path; on a throw (divergence, a device error, the
  // train page's Stop) the parameters too, since no caller gets the model then.
  const owned: Array<{ destroy(): void }> = [];
  let ok = false;
  try {
    const upload0 = performance.now();
    const trainDs = own(new GpuDataset(ctx, split.train)), testDs = own(new GpuDataset(ctx, split.test));
    await ctx.queue.onSubmittedWorkDone();
    const build0 = performance.now();
    const gather = await trainDs.gather(cfg.batch, cfg.augment ? DEFAULT_AUGMENT : null);
    own({ destroy: () => { for (const b of [gather.x.buffer, gather.y.buffer, gather.dispatch.uniform]) b.destroy(); } });
    const opt = await createOptimizer(ctx, store, cfg.optimizer);
    own({ destroy: () => opt.dispatch.uniform.destroy() });
    const step = own(await TrainStep.build(ctx, model, gather.x, gather.y, opt, cfg.seed, [gather.dispatch], { labelSmoothing: cfg.labelSmoothing }));
    const testAcc = own(await AccuracyRunner.create(ctx, model, testDs));
    await ctx.queue.onSubmittedWorkDone();
    const setup: SetupTimes = { uploadSec: (build0 - upload0) / 1000, buildSec: (performance.now() - build0) / 1000 };
    hooks.onReady?.(ctx.select.summary());
    hooks.onSetup?.(setup);
    const steps = Math.floor(trainDs.count / cfg.batch);
    if (steps < 1) throw new Error(`batch ${cfg.batch} is larger than the ${trainDs.count} training images`);
    const total = steps * cfg.epochs;
    const evalEvery = cfg.evalEvery ?? (cfg.targetAcc === undefined ? 0 : Math.ceil(steps / 2));
    let t = resume?.step ?? 0;
    const results: EpochResult[] = [];
    const started = performance.now();
    const firstT = t, firstEpoch = (resume?.epoch ?? 0) + 1;
    const clock = () => (performance.now() - started) / 1000;
    let reached: Reached | undefined, evals = 0, evalSeconds = 0, estimateFrom = 0;
    const evaluate = async (epoch: number, done: number): Promise<number> => {
      const e0 = performance.now();
      const acc = await testAcc.run();
      evals++;
      evalSeconds += (performance.now() - e0) / 1000;
      hooks.onEval?.({ epoch, step: done, steps, acc, seconds: clock() });
      if (cfg.targetAcc !== undefined && acc >= cfg.targetAcc) reached = { acc, epoch, step: done, steps, images: (t - firstT) * cfg.batch, seconds: clock(), evals, evalSeconds };
      return acc;
    };
    for (let epoch = firstEpoch; epoch <= cfg.epochs && !reached; epoch++) {
      const t0 = performance.now();
      trainDs.shuffle(cfg.seed * 1000 + epoch);
      let lossSum = 0, correct = 0, seen = 0, window = 0, stoppedAt: number | undefined, acc = NaN;
      for (let s = 0; s < steps && !reached; s++) {
        t++;
        const lr = lrAt(cfg.optimizer.lr, cfg.schedule, t - 1, total, steps);
        gather.set(s * cfg.batch, (cfg.seed * 0x9e3779b1 + t) >>> 0);
        step.prepare(t, lr, cfg.seed);
        step.run();
        window++;
        if (hooks.onEstimate && (t - firstT === 1 || t - firstT === 1 + ESTIMATE_STEPS)) {
          // Only when asked (a CPU adapter): two queue syncs around the timed steps.
          await ctx.queue.onSubmittedWorkDone();
          if (t - firstT === 1) estimateFrom = performance.now();
          else {
            const ips = (ESTIMATE_STEPS * cfg.batch) / ((performance.now() - estimateFrom) / 1000);
            const epochsLeft = cfg.epochs - firstEpoch + 1, midEvals = evalEvery ? Math.floor((steps - 1) / evalEvery) : 0;
            hooks.onEstimate({ imagesPerSec: ips, seconds: runSeconds(ips, total - firstT, cfg.batch, epochsLeft * (1 + midEvals), testDs.count) });
          }
        }
        const done = s + 1, evalNow = evalEvery > 0 && done % evalEvery === 0 && done < steps;
        if (window === cfg.logEvery || done === steps || evalNow) {
          const m = await step.readMetrics();
          step.resetMetrics();
          const mean = m.lossSum / window;
          const why = divergence(mean);
          if (why) throw new DivergedError(`loss became ${why} at epoch ${epoch}, step ${done}; lower the learning rate`);
          lossSum += m.lossSum; correct += m.correct; seen += window;
          const ips = ((t - firstT) * cfg.batch) / clock();
          hooks.onProgress?.({ epoch, epochs: cfg.epochs, step: done, steps, loss: mean, acc: m.correct / (window * cfg.batch), imagesPerSec: ips, etaSec: ((total - t) * cfg.batch) / ips, lr });
          window = 0;
        }
        if (evalNow) {
          acc = await evaluate(epoch, done);
          if (reached) stoppedAt = done;
        }
      }
      if (stoppedAt === undefined) acc = await evaluate(epoch, steps);
      const seconds = (performance.now() - t0) / 1000;
      const r: EpochResult = { epoch, trainLoss: lossSum / seen, trainAcc: correct / (seen * cfg.batch), testAcc: acc, seconds, imagesPerSec: (seen * cfg.batch) / seconds, ...(stoppedAt ? { stoppedAt } : {}) };
      results.push(r);
      const snapshot = async (): Promise<Checkpoint> => ({
        // The checkpoint's own test accuracy lets --resume tell whether the model file should hold it.
        spec, epoch, step: t, optimizer: cfg.optimizer, config: { ...cfg, spec: undefined, testAccuracy: acc },
        weights: await store.readState(ctx.device),
        slots: await Promise.all(store.slots.map((b) => readTensor(ctx.device, store.flat(b)))),
      });
      await hooks.onEpoch?.(r, snapshot);
    }
    ok = true;
    return { model, results, setup, reached };
  } finally {
    for (const o of owned.reverse()) o.destroy();
    if (!ok) store.destroy();
  }

  function own<T extends { destroy(): void }>(o: T): T {
    owned.push(o);
    return o;
  }
}

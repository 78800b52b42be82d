// What `train` says about time: the one-off setup, time-to-accuracy, and on a CPU adapter the
// estimate of the whole run from its first steps.
import type { Split } from '../data/mnist.js';
import { duration, type Reached, type RunEstimate, type SetupTimes } from '../train/clock.js';
import type { EpochResult, TrainConfig } from '../train/trainer.js';

const pct = (a: number) => `${(100 * a).toFixed(2)}%`;
const count = (n: number) => n.toLocaleString('en-US');

export function setupLines(t: SetupTimes, split: Split): string[] {
  return [`data upload: ${t.uploadSec.toFixed(2)} s (${count(split.train.count)} training and ${count(split.test.count)} test images, once)`,
    `pipelines: ${t.buildSec.toFixed(2)} s (compiling and choosing kernels, once, before the first step)`];
}

/** Time-to-accuracy, or the best the run got to. */
export function targetLine(target: number, reached: Reached | undefined, results: EpochResult[]): string {
  if (!reached) {
    const best = results.reduce<EpochResult | undefined>((b, r) => (b && b.testAcc >= r.testAcc ? b : r), undefined);
    return `did not reach ${pct(target)} test accuracy${best ? ` (best ${pct(best.testAcc)}, epoch ${best.epoch})` : ''}`;
  }
  const { acc, epoch, step, steps, images, seconds, evals, evalSeconds } = reached;
  return `time to ${pct(target)}: ${seconds.toFixed(1)} s of training (reached ${pct(acc)} at epoch ${epoch}, step ${step}/${steps}, ` +
    `after ${count(images)} images; ${evals} test evaluation${evals === 1 ? '' : 's'} included, ${evalSeconds.toFixed(1)} s; data upload and pipelines not)`;
}

/** Runs that take hours on a CPU adapter get told so, with the presets that finish in minutes. */
export function estimateLine(e: RunEstimate, cfg: TrainConfig, warn: (m: string) => void, info: (m: string) => void): void {
  const line = `estimate: about ${duration(e.seconds)} for ${cfg.epochs} epoch${cfg.epochs === 1 ? '' : 's'} at ${Math.round(e.imagesPerSec)} images/s (a CPU adapter)`;
  if (e.seconds < 3600) return info(line);
  const others = ['fast', 'lenet'].filter((m) => m !== cfg.model).map((m) => `--model ${m}`);
  warn(`${line}; ${others.join(' or ')} finish${others.length === 1 ? 'es' : ''} in minutes on a CPU (or give fewer --epochs)`);
}

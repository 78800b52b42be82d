// Time-to-accuracy and the run's estimate. The training clock starts after the one-off work
// (uploading the data set, compiling pipelines, autotune), which is timed and reported on its
// own; test evaluations run on the training clock, since reaching the target needs them.

/** The one-off costs before the first step. */
export interface SetupTimes { uploadSec: number; buildSec: number }

/** Images per second measured over the first steps, and the whole run's duration at that rate. */
export interface RunEstimate { imagesPerSec: number; seconds: number }

/** Where the run reached its target: the evaluation that did, and the training time up to it. */
export interface Reached { acc: number; epoch: number; step: number; steps: number; images: number; seconds: number; evals: number; evalSeconds: number }

/** Steps timed for the estimate, after a first step that may still pay for lazy compilation. */
export const ESTIMATE_STEPS = 3;

/** A forward pass is about a third of a training step's work (forward, backward for inputs and weights). */
const EVAL_SPEEDUP = 3;

/** Seconds for `steps` training steps of `batch` images and `evals` passes over `testCount` images at `ips`. */
export function runSeconds(ips: number, steps: number, batch: number, evals: number, testCount: number): number {
  return (steps * batch + (evals * testCount) / EVAL_SPEEDUP) / ips;
}

/** "3 h 10 min", "12 min", "40 s". */
export function duration(sec: number): string {
  if (!Number.isFinite(sec)) return 'an unknown time';
  if (sec < 90) return `${Math.max(1, Math.round(sec))} s`;
  const min = Math.round(sec / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60), rest = min % 60;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

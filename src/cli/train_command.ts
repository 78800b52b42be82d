// `train`: every flag and output path is checked before the data loads or the GPU starts; each
// epoch goes through EpochSaver (checkpoint always, model only when not worse than the best).
import { DivergedError, train, type EpochResult, type TrainConfig, type TrainHooks } from '../train/trainer.js';
import type { RunEstimate } from '../train/clock.js';
import { estimateLine, setupLines, targetLine } from './time_report.js';
import { decodeCheckpoint, encodeCheckpoint, encodeModel, type Checkpoint } from '../train/model_file.js';
import { Sequential, type ModelSpec } from '../nn/model.js';
import { UsageError, type Flags } from './args.js';
import { hyperParams } from './train_config.js';
import { context, datasetLoader, readFileOr, str } from './commands.js';
import { requestNodeAdapter } from '../gpu/node.js';
import { describeAdapter, isCpuAdapter } from '../gpu/context.js';
import { selectionConfig } from './selection.js';
import { cleanStaleTemps, checkOutputs } from './outputs.js';
import { EpochSaver, readModelState, reconcile, type Saved } from './saver.js';
import { makeProgress } from './progress.js';
import { trainInBrowser } from './browser_train.js';
import { PRESETS } from '../nn/presets.js';
import { recipeFor } from '../train/recipes.js';
import { modelArg, sameArchitecture } from './model_arg.js';

const pct = (a: number) => `${(100 * a).toFixed(2)}%`;
const say = (m: string) => { process.stdout.write(`${m}\n`); };
const note = (m: string) => { process.stderr.write(`${m}\n`); };

/** With no --model: the 99.5% model (BatchNorm, augmented) on a GPU; on a CPU adapter a LeNet that finishes in minutes. */
export function defaultModel(cpu: boolean): { model: string; epochs: number } {
  return cpu ? { model: 'lenet', epochs: 3 } : { model: 'bncnn', epochs: recipeFor('bncnn').epochs };
}

function config(f: Flags, resume: Checkpoint | undefined, dflt: { model: string; epochs: number }): TrainConfig {
  // Resuming: what the checkpoint was trained with is the default; explicit flags still win.
  const prev = (resume?.config ?? {}) as Partial<TrainConfig>;
  const choice = resume ? { spec: resume.spec, preset: Object.hasOwn(PRESETS, resume.spec.name) ? resume.spec.name : undefined } : modelArg(str(f, 'model', dflt.model));
  const model = choice.spec.name, r = recipeFor(choice.preset);
  if (resume && f.model !== undefined && !sameArchitecture(modelArg(String(f.model)).spec, resume.spec)) throw new UsageError(`--model ${f.model} does not match the checkpoint's ${model}`);
  return {
    model, ...(choice.preset ? {} : { spec: choice.spec }),
    ...hyperParams(f, r, prev, choice.preset === dflt.model ? dflt.epochs : r.epochs),
  };
}

// The model's metadata says which epoch it holds and how good it was: --resume compares it with the checkpoint.
const modelBytes = (spec: ModelSpec, weights: Float32Array, r: Saved) =>
  encodeModel(spec, new Sequential(spec).store, weights, { ...(Number.isFinite(r.testAcc) ? { test_accuracy: String(r.testAcc) } : {}), epochs: String(r.epoch) });

/** The saver for this run; on --resume, first repairs a model file an interrupted save left behind. */
function startSaver(out: string, ckpt: string, resume?: Checkpoint): EpochSaver {
  if (!resume) {
    const old = readModelState(out);
    if (old && !('error' in old)) note(`note: ${out} exists (${Number.isInteger(old.epoch) ? `epoch ${old.epoch}, ` : ''}test acc ${pct(old.testAcc)}); this new run replaces it with its best epoch (--resume continues it instead)`);
    return new EpochSaver(out, ckpt, undefined);
  }
  const acc = resume.config.testAccuracy;
  const ck = { epoch: resume.epoch, testAcc: typeof acc === 'number' ? acc : undefined };
  const { best, repair } = reconcile(out, ck, readModelState(out));
  const saver = new EpochSaver(out, ckpt, best);
  saver.ckptEpoch = resume.epoch;
  if (repair) {
    saver.writeModel(modelBytes(resume.spec, resume.weights, { epoch: ck.epoch, testAcc: ck.testAcc ?? NaN }));
    say(repair);
  }
  return saver;
}

export async function trainCommand(f: Flags): Promise<void> {
  const out = str(f, 'out', 'model.safetensors');
  const ckpt = str(f, 'checkpoint', `${out.replace(/\.safetensors$/, '')}.ckpt.safetensors`);
  const resume = f.resume ? decodeCheckpoint(readFileOr(ckpt, 'checkpoint'), ckpt) : undefined;
  config(f, resume, defaultModel(false)); // every flag checked before anything slow
  const runtime = str(f, 'runtime', 'node');
  if (runtime !== 'node' && runtime !== 'browser') throw new UsageError(`--runtime must be node or browser, got '${runtime}'`);
  const load = datasetLoader(f);
  checkOutputs([['--out', out], ['--checkpoint', ckpt]]);
  const info = (m: string) => { if (!f.quiet) note(m); }; // --quiet: results, warnings and errors only
  // A file we delete is said even with --quiet.
  for (const file of cleanStaleTemps([out, ckpt])) note(`removed ${file}, a temporary file left by an interrupted run`);
  // The default model depends on the adapter (the browser runtime runs on this machine's too).
  const ctx = runtime === 'node' ? await context(f) : undefined;
  const cpu = f.model !== undefined || resume ? false : ctx ? ctx.isCpu : await nodeAdapterIsCpu();
  const cfg = config(f, resume, defaultModel(cpu));
  if (cpu) info(`no GPU (a CPU adapter): training ${cfg.model} for ${cfg.epochs} epoch${cfg.epochs === 1 ? "" : "s"}, minutes on a CPU; --model fast reaches 99% in its one epoch, --model bncnn trains the 99.5% model (hours on a CPU, seconds on a GPU)`);
  const saver = startSaver(out, ckpt, resume);
  if (resume && resume.epoch >= cfg.epochs) { ctx?.destroy(); return say(`nothing to do: the checkpoint is already at epoch ${resume.epoch} of ${cfg.epochs}`); }

  const split = await load();
  const saveEpoch = (r: EpochResult, model: Uint8Array, checkpoint: Uint8Array) => {
    const kept = saver.save({ epoch: r.epoch, testAcc: r.testAcc }, model, checkpoint);
    say(`epoch ${r.epoch}${r.stoppedAt ? ` (stopped at step ${r.stoppedAt})` : ''}: train loss ${r.trainLoss.toFixed(4)} acc ${pct(r.trainAcc)} | test acc ${pct(r.testAcc)} | ${r.seconds.toFixed(1)} s, ${Math.round(r.imagesPerSec)} img/s`);
    if (kept) say(kept);
  };
  // A diverged run stops with what is still on disk, and its own exit code (4).
  const diverged = (e: Error) => { throw e instanceof DivergedError || /^loss became/.test(e.message) ? new DivergedError(`${e.message}; ${saver.kept()}`) : e; };
  const onProgress = f.quiet ? undefined : makeProgress();
  info(`training ${cfg.model} on ${split.train.count} images (${split.source}), testing on ${split.test.count}; batch ${cfg.batch}, ${cfg.optimizer.type} lr ${cfg.optimizer.lr}, ${cfg.augment ? 'augmented' : 'no augmentation'}${cfg.labelSmoothing ? `, label smoothing ${cfg.labelSmoothing}` : ''}, ${cfg.epochs} epoch${cfg.epochs === 1 ? '' : 's'}`);
  const timed = cfg.targetAcc !== undefined || cfg.evalEvery !== undefined;
  const hooks: TrainHooks = {
    onReady: info,
    onProgress,
    // With a target, time-to-accuracy leaves these out, so they are results too.
    onSetup: (t) => { for (const l of setupLines(t, split)) (timed ? say : info)(l); },
    onEval: (p) => { if (p.step < p.steps) say(`epoch ${p.epoch}, step ${p.step}/${p.steps}: test acc ${pct(p.acc)} (${p.seconds.toFixed(1)} s of training)`); },
    ...(ctx?.isCpu ? { onEstimate: (e: RunEstimate) => estimateLine(e, cfg, note, info) } : {}),
  };
  const run = runtime === 'browser'
    ? await trainInBrowser(f.chromium === undefined ? undefined : String(f.chromium), str(f, 'dataset', 'mnist'), split, cfg,
      f.resume ? readFileOr(ckpt, 'checkpoint') : undefined, { ...hooks, log: info, onEpoch: saveEpoch }, selectionConfig(f)).catch(diverged)
    : await train(ctx!, split, cfg, {
      ...hooks,
      onEpoch: async (r, snapshot) => {
        const c = await snapshot();
        saveEpoch(r, modelBytes(c.spec, c.weights, { epoch: r.epoch, testAcc: r.testAcc }), encodeCheckpoint(c, new Sequential(c.spec).store));
      },
    }, resume).catch(diverged).finally(() => ctx!.destroy());
  const results = run.results;
  if (cfg.targetAcc !== undefined) say(targetLine(cfg.targetAcc, run.reached, results));
  const last = results.at(-1), best = saver.best;
  if (!last || !best) return;
  const model = `${out} (epoch ${best.epoch}, test accuracy ${pct(best.testAcc)})`;
  // "kept" when no epoch of this run beat the model it started with.
  say(results.some((r) => r.epoch === best.epoch) ? `saved ${model} and checkpoint ${ckpt} (epoch ${last.epoch})` : `kept ${model}, the best so far; saved checkpoint ${ckpt} (epoch ${last.epoch})`);
}

/** Whether this machine's WebGPU adapter is a CPU one, without keeping a device. */
async function nodeAdapterIsCpu(): Promise<boolean> {
  const { source, adapter } = await requestNodeAdapter();
  return isCpuAdapter(describeAdapter(adapter, source));
}

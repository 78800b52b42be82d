import { existsSync } from 'node:fs';
import { createNodeContext } from '../gpu/node.js';
import type { GpuContext } from '../gpu/context.js';
import { loadDataset, writeAtomic, type Split } from '../data/mnist.js';
import { take } from '../data/idx.js';
import { GpuDataset } from '../data/gpu_dataset.js';
import { readGrayImage } from '../data/image_file.js';
import { preprocess } from '../data/preprocess.js';
import { DivergedError, train, type EpochResult, type TrainConfig } from '../train/trainer.js';
import { decodeCheckpoint, decodeModel, encodeCheckpoint, encodeModel } from '../train/model_file.js';
import { evaluate } from '../train/evaluate.js';
import { Sequential } from '../nn/model.js';
import { makeProgress } from './progress.js';
import { UsageError } from './args.js';
import { mistakesGrid } from './report.js';
import { trainInBrowser } from './browser_train.js';
import { readUserFile } from '../util/read_file.js';

type Flags = Record<string, string | number | boolean>;
const str = (f: Flags, k: string, d: string) => (f[k] === undefined ? d : String(f[k]));
const num = (f: Flags, k: string, d: number) => (f[k] === undefined ? d : Number(f[k]));

async function context(f: Flags): Promise<GpuContext> {
  const ctx = await createNodeContext({ onLost: (m) => { process.stderr.write(`error: ${m}\n`); process.exit(3); } });
  if (!f.quiet) process.stderr.write(`adapter: ${ctx.describe()}\n`);
  return ctx;
}

async function dataset(f: Flags): Promise<Split> {
  const name = str(f, 'dataset', 'mnist');
  if (name !== 'mnist' && name !== 'fashion') throw new UsageError(`--dataset must be mnist or fashion, got '${name}'`);
  const split = await loadDataset(name, { log: (m) => process.stderr.write(`${m}\n`) });
  return {
    source: split.source,
    train: f['train-limit'] !== undefined ? take(split.train, num(f, 'train-limit', 0)) : split.train,
    test: f['test-limit'] !== undefined ? take(split.test, num(f, 'test-limit', 0)) : split.test,
  };
}

export async function trainCommand(f: Flags): Promise<void> {
  const out = str(f, 'out', 'model.safetensors');
  const ckpt = str(f, 'checkpoint', `${out.replace(/\.safetensors$/, '')}.ckpt.safetensors`);
  const resume = f.resume ? decodeCheckpoint(readFileOr(ckpt, 'checkpoint'), ckpt) : undefined;
  // Resuming: what the checkpoint was trained with is the default; explicit flags still win.
  const prev = (resume?.config ?? {}) as Partial<TrainConfig>;
  const model = resume ? resume.spec.name : str(f, 'model', 'cnn');
  if (resume && f.model !== undefined && f.model !== model) throw new UsageError(`--model ${f.model} does not match the checkpoint's ${model}`);
  const opt = str(f, 'optimizer', prev.optimizer?.type ?? 'adam');
  if (!['sgd', 'adam', 'adamw'].includes(opt)) throw new UsageError(`--optimizer must be sgd, adam or adamw, got '${opt}'`);
  const sched = str(f, 'schedule', prev.schedule?.kind ?? 'cosine');
  if (!['constant', 'step', 'cosine'].includes(sched)) throw new UsageError(`--schedule must be constant, step or cosine, got '${sched}'`);
  const cfg: TrainConfig = {
    model, epochs: num(f, 'epochs', prev.epochs ?? (model === 'lenet' ? 10 : 15)), batch: num(f, 'batch', prev.batch ?? 64), seed: num(f, 'seed', prev.seed ?? 1),
    optimizer: { type: opt as 'adam', lr: num(f, 'lr', prev.optimizer?.lr ?? (opt === 'sgd' ? 0.05 : 1e-3)), momentum: num(f, 'momentum', prev.optimizer?.momentum ?? 0.9),
      weightDecay: num(f, 'weight-decay', prev.optimizer?.weightDecay ?? (opt === 'adamw' ? 1e-4 : 0)) },
    schedule: { kind: sched as 'cosine', warmup: num(f, 'warmup', prev.schedule?.warmup ?? 0) },
    augment: f.augment === undefined ? prev.augment ?? model === 'cnn' : Boolean(f.augment),
    logEvery: num(f, 'log-every', 50),
  };
  for (const k of ['epochs', 'batch', 'log-every'] as const) if (!Number.isInteger(num(f, k, 1)) || num(f, k, 1) < 1) throw new UsageError(`--${k} must be a positive integer`);
  const runtime = str(f, 'runtime', 'node');
  if (runtime !== 'node' && runtime !== 'browser') throw new UsageError(`--runtime must be node or browser, got '${runtime}'`);
  const split = await dataset(f);
  let lastSaved: number | undefined;
  const saveEpoch = (r: EpochResult, modelBytes: Uint8Array, ckptBytes: Uint8Array) => {
    writeAtomic(ckpt, ckptBytes);
    writeAtomic(out, modelBytes);
    lastSaved = r.epoch;
    process.stdout.write(`epoch ${r.epoch}: train loss ${r.trainLoss.toFixed(4)} acc ${(100 * r.trainAcc).toFixed(2)}% | test acc ${(100 * r.testAcc).toFixed(2)}% | ${r.seconds.toFixed(1)} s, ${Math.round(r.imagesPerSec)} img/s\n`);
  };
  const kept = (e: Error) => {
    const where = existsSync(ckpt) ? `kept ${ckpt} (epoch ${lastSaved ?? resume?.epoch ?? '?'})` : 'no checkpoint was written';
    return new Error(`${e.message}; ${where}`);
  };
  const onProgress = f.quiet ? undefined : makeProgress();
  process.stderr.write(`training ${model} on ${split.train.count} images (${split.source}), testing on ${split.test.count}; batch ${cfg.batch}, ${opt} lr ${cfg.optimizer.lr}, ${cfg.augment ? 'augmented' : 'no augmentation'}\n`);
  let results: EpochResult[];
  if (runtime === 'browser') {
    const log = (m: string) => { if (!f.quiet) process.stderr.write(`${m}\n`); };
    results = await trainInBrowser(f.chromium === undefined ? undefined : String(f.chromium), str(f, 'dataset', 'mnist'), split, cfg,
      f.resume ? readFileOr(ckpt, 'checkpoint') : undefined, { log, onProgress, onEpoch: saveEpoch })
      .catch((e: Error) => { throw /^loss became/.test(e.message) ? kept(e) : e; });
  } else {
    const ctx = await context(f);
    results = (await train(ctx, split, cfg, {
      onProgress,
      onEpoch: async (r, snapshot) => {
        const c = await snapshot();
        const m = new Sequential(c.spec);
        saveEpoch(r, encodeModel(c.spec, m.store, c.weights, { test_accuracy: String(r.testAcc), epochs: String(r.epoch) }), encodeCheckpoint(c, m.store));
      },
    }, resume).catch((e: Error) => { throw e instanceof DivergedError ? kept(e) : e; })).results;
    ctx.destroy();
  }
  const last = results.at(-1);
  if (last) process.stdout.write(`saved ${out} (test accuracy ${(100 * last.testAcc).toFixed(2)}%) and checkpoint ${ckpt}\n`);
  else process.stdout.write(`nothing to do: the checkpoint is already at epoch ${resume?.epoch} of ${cfg.epochs}\n`);
}

const readFileOr = (path: string, what: string): Uint8Array => readUserFile(path, { what, Err: UsageError });

function loadModel(f: Flags) {
  const file = str(f, 'model', 'model.safetensors');
  return decodeModel(readFileOr(file, 'model file'), file);
}

export async function evaluateCommand(f: Flags): Promise<void> {
  const { model, weights } = loadModel(f);
  const split = await dataset(f);
  const ctx = await context(f);
  model.store.materialize(ctx, weights, 0);
  const ds = new GpuDataset(ctx, split.test);
  const e = await evaluate(ctx, model, ds);
  const K = model.spec.classes;
  const lines = [`accuracy ${(100 * e.accuracy).toFixed(2)}% on ${split.test.count} test images`, '', 'confusion matrix (rows: true, columns: predicted)',
    `      ${Array.from({ length: K }, (_, k) => String(k).padStart(5)).join('')}`,
    ...e.confusion.map((r, k) => `${String(k).padStart(5)} ${r.map((v) => String(v).padStart(5)).join('')}`), '', 'class  precision  recall',
    ...e.precision.map((p, k) => `${String(k).padStart(5)}  ${(100 * p).toFixed(2).padStart(8)}%  ${(100 * e.recall[k]).toFixed(2).padStart(6)}%`)];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (f.mistakes) {
    const file = String(f.mistakes);
    const n = mistakesGrid(file, split.test, e.preds, e.probs, K, num(f, 'mistakes-count', 64));
    process.stdout.write(`wrote the ${n} most confident mistakes to ${file}\n`);
  }
  ctx.destroy();
}

export async function predictCommand(f: Flags, files: string[]): Promise<void> {
  const images = [...files, ...(f.image ? String(f.image).split('\n') : [])];
  if (!images.length) throw new UsageError('predict needs at least one image: predict --image digit.png [more.png ...]');
  const inputs = images.map((file) => preprocess(readGrayImage(file), file));
  const { model, weights } = loadModel(f);
  const ctx = await context(f);
  model.store.materialize(ctx, weights, 0);
  const ds = new GpuDataset(ctx, { count: inputs.length, rows: 28, cols: 28, images: concat(inputs), labels: new Uint8Array(inputs.length), classes: model.spec.classes });
  const e = await evaluate(ctx, model, ds, Math.min(64, inputs.length));
  const K = model.spec.classes;
  images.forEach((file, i) => {
    const p = Array.from(e.probs.subarray(i * K, (i + 1) * K)).map((v, k) => [k, v] as const).sort((a, b) => b[1] - a[1]);
    process.stdout.write(`${file}: ${p[0][0]}  (top-3: ${p.slice(0, 3).map(([k, v]) => `${k} ${(100 * v).toFixed(1)}%`).join(', ')})\n`);
  });
  ctx.destroy();
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

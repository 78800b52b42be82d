// `evaluate` and `predict`, and what every command shares: the GPU context, the data set, input files.
import { createNodeContext } from '../gpu/node.js';
import type { GpuContext } from '../gpu/context.js';
import { loadDataset, type Split } from '../data/mnist.js';
import { take } from '../data/idx.js';
import { GpuDataset } from '../data/gpu_dataset.js';
import { readGrayImage } from '../data/image_file.js';
import { preprocess } from '../data/preprocess.js';
import { decodeModel } from '../train/model_file.js';
import { evaluate } from '../train/evaluate.js';
import { intFlag, UsageError, type Flags } from './args.js';
import { mistakesGrid } from './report.js';
import { readUserFile } from '../util/read_file.js';
import { checkOutputs } from './outputs.js';
import { EXIT } from './usage.js';
import { robustnessFromFlags, selectionFromFlags } from './selection.js';
import { modelToUse } from './pretrained.js';

export const str = (f: Flags, k: string, d: string) => (f[k] === undefined ? d : String(f[k]));

export async function context(f: Flags): Promise<GpuContext> {
  const ctx = await createNodeContext({ onLost: (m) => { process.stderr.write(`error: ${m}\n`); process.exit(EXIT.device); }, selection: selectionFromFlags(f), robustness: robustnessFromFlags(f) });
  if (!f.quiet) process.stderr.write(`adapter: ${ctx.describe()}\n`);
  return ctx;
}

/** Checks --dataset and the limits (before anything slow runs), then returns the loader. */
export function datasetLoader(f: Flags): () => Promise<Split> {
  const name = str(f, 'dataset', 'mnist');
  if (name !== 'mnist' && name !== 'fashion') throw new UsageError(`--dataset must be mnist or fashion, got '${name}'`);
  const trainLimit = intFlag(f, 'train-limit', Infinity, 1), testLimit = intFlag(f, 'test-limit', Infinity, 1);
  return async () => {
    const split = await loadDataset(name, { log: (m) => process.stderr.write(`${m}\n`) });
    return { source: split.source, train: take(split.train, trainLimit), test: take(split.test, testLimit) };
  };
}

/** A file the user named (model, checkpoint): one line naming it when missing, a directory or unreadable. */
export const readFileOr = (path: string, what: string): Uint8Array => readUserFile(path, { what });

function loadModel(f: Flags) {
  const { path, why } = modelToUse(f.model === undefined ? undefined : String(f.model));
  if (!f.quiet && why !== '--model') process.stderr.write(`model: ${path} (${why})\n`);
  return decodeModel(readFileOr(path, 'model file'), path);
}

export async function evaluateCommand(f: Flags): Promise<void> {
  const count = intFlag(f, 'mistakes-count', 64, 1);
  if (f.mistakes) checkOutputs([['--mistakes', String(f.mistakes)]]);
  const load = datasetLoader(f);
  const { model, weights } = loadModel(f);
  const split = await load();
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
    const n = mistakesGrid(file, split.test, e.preds, e.probs, K, count);
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

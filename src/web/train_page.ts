// Train page: the engine's trainer in the browser, live charts, filters, confusion matrix, download.
// `window.cnn.train` is the same path for the headless runner (`train --runtime browser`).
import type { GpuContext } from '../gpu/context.js';
import { readTensor } from '../gpu/buffers.js';
import { GpuDataset } from '../data/gpu_dataset.js';
import { train, type Progress } from '../train/trainer.js';
import { evaluate } from '../train/evaluate.js';
import { decodeCheckpoint, encodeCheckpoint, encodeModel } from '../train/model_file.js';
import { Sequential } from '../nn/model.js';
import { LineChart } from './chart.js';
import { $, download, el, fromBase64, loadSplit, pageContext, report, setStatus, toBase64 } from './common.js';
import { saveLastModel } from './model_store.js';
import { fillRecipe, readForm, type PageTrainOptions } from './train_form.js';
import { setupLines, targetLine } from '../cli/time_report.js';

const lossChart = new LineChart($<HTMLCanvasElement>('loss'), 'training loss (per read-back window)', [{ name: 'loss', color: '#d33' }]);
const accChart = new LineChart($<HTMLCanvasElement>('acc'), 'accuracy', [{ name: 'train', color: '#36c' }, { name: 'test', color: '#2a2' }], [0, 1]);
let stopRequested = false;
let lastModel: { bytes: Uint8Array; name: string } | null = null;

async function showFilters(ctx: GpuContext, model: Sequential): Promise<void> {
  const p = model.store.params.find((q) => q.shape.length === 4);
  const box = $('filters');
  box.replaceChildren();
  if (!p) { box.textContent = 'the model has no convolution'; return; }
  const all = await readTensor(ctx.device, model.store.flat(model.store.weights));
  const [K, C, kh, kw] = p.shape, size = C * kh * kw;
  for (let k = 0; k < K; k++) {
    const w = all.subarray(p.offset + k * size, p.offset + k * size + kh * kw);
    const lo = Math.min(...w), hi = Math.max(...w), c = el('canvas', { width: kw, height: kh, title: `filter ${k}` });
    c.style.width = `${kw * 8}px`;
    const img = new ImageData(kw, kh);
    w.forEach((v, i) => { const g = Math.round((255 * (v - lo)) / (hi - lo || 1)); img.data.set([g, g, g, 255], 4 * i); });
    c.getContext('2d')?.putImageData(img, 0, 0);
    box.append(c);
  }
}

function showConfusion(confusion: number[][], accuracy: number): void {
  const max = Math.max(...confusion.flat());
  const head = el('tr', {}, el('th', {}, 'true \\ pred'), ...confusion.map((_, k) => el('th', {}, String(k))));
  const rows = confusion.map((r, t) => el('tr', {}, el('th', {}, String(t)), ...r.map((v, p) => {
    const td = el('td', {}, String(v));
    td.style.background = t === p ? `rgba(40,160,60,${0.15 + (0.6 * v) / max})` : v ? `rgba(210,50,50,${0.1 + (0.8 * v) / max})` : '';
    return td;
  })));
  $('confusion').replaceChildren(el('p', {}, `test accuracy ${(100 * accuracy).toFixed(2)}%`), el('table', { id: 'confusion-table' }, head, ...rows));
}

export async function runTraining(ctx: GpuContext, o: PageTrainOptions, picked: FileList | null = null) {
  stopRequested = false;
  if (o.selection) ctx.select.configure(o.selection);
  lossChart.clear(); accChart.clear();
  $('target').textContent = '';
  setStatus(`loading ${o.dataset}...`);
  const split = await loadSplit(o.dataset, picked, { train: o.trainLimit, test: o.testLimit });
  const resume = o.resume ? decodeCheckpoint(fromBase64(o.resume), 'checkpoint') : undefined;
  setStatus(`training ${o.cfg.model} on ${split.train.count} images, testing on ${split.test.count}`);
  await report({ type: 'start', adapter: ctx.describe(), train: split.train.count, test: split.test.count });
  // Steps since the start of epoch 1: progress and every test evaluation share the x axis.
  const x = (p: { epoch: number; step: number; steps: number }) => (p.epoch - 1) * p.steps + p.step;
  const onProgress = (p: Progress) => {
    if (stopRequested) throw new Error('stopped by the user');
    lossChart.push('loss', x(p), p.loss);
    accChart.push('train', x(p), p.acc);
    setStatus(`epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} acc ${(100 * p.acc).toFixed(1)}% ${Math.round(p.imagesPerSec)} img/s`);
    void report({ type: 'progress', p });
  };
  let setup: string[] = [];
  const { model, results, reached } = await train(ctx, split, o.cfg, {
    onReady: (versions) => { $('versions').textContent = versions; void report({ type: 'versions', versions }); },
    onProgress,
    onSetup: (t) => { setup = setupLines(t, split); void report({ type: 'setup', t }); },
    onEval: (p) => { accChart.push('test', x(p), p.acc); void report({ type: 'eval', p }); },
    onEpoch: async (r, snapshot) => {
      const c = await snapshot();
      const m = new Sequential(c.spec);
      const modelBytes = encodeModel(c.spec, m.store, c.weights, { test_accuracy: String(r.testAcc), epochs: String(r.epoch) });
      lastModel = { bytes: modelBytes, name: `${c.spec.name}.safetensors` };
      $<HTMLButtonElement>('download').disabled = false;
      await report({ type: 'epoch', r, model: toBase64(modelBytes), checkpoint: toBase64(encodeCheckpoint(c, m.store)) });
      await saveLastModel(modelBytes, lastModel.name).catch(() => undefined);
    },
  }, resume);
  await report({ type: 'done', reached });
  // Time-to-accuracy leaves the one-off setup out, so it is shown beside it.
  if (o.cfg.targetAcc !== undefined) $('target').textContent = [targetLine(o.cfg.targetAcc, reached, results), ...setup].join('\n');
  await showFilters(ctx, model);
  const testDs = new GpuDataset(ctx, split.test);
  const e = await evaluate(ctx, model, testDs);
  testDs.destroy();
  showConfusion(e.confusion, e.accuracy);
  model.store.destroy();
  setStatus(`done: test accuracy ${(100 * e.accuracy).toFixed(2)}%${results.length ? '' : ' (the checkpoint was already complete)'}`);
  return { results, accuracy: e.accuracy, confusion: e.confusion };
}

async function main(): Promise<void> {
  const form = $<HTMLFormElement>('form'), model = form.elements.namedItem('model') as HTMLSelectElement;
  // The page opens with the selected model's recipe; picking another model fills in its recipe.
  fillRecipe(form, model.value);
  model.addEventListener('change', () => fillRecipe(form, model.value));
  const ctx = await pageContext();
  const w = window as unknown as { cnn?: object };
  if (!ctx) { w.cnn = { error: 'no WebGPU' }; return; }
  w.cnn = { train: (o: PageTrainOptions) => runTraining(ctx, o) };
  let busy = false;
  $('start').addEventListener('click', () => {
    if (busy) return;
    const o = readForm(form);
    if (typeof o === 'string') return setStatus(o, 'error');
    busy = true;
    $<HTMLButtonElement>('stop').disabled = false;
    runTraining(ctx, o, $<HTMLInputElement>('files').files)
      .catch((e: Error) => setStatus(`error: ${e.message}`, 'error'))
      .finally(() => { busy = false; $<HTMLButtonElement>('stop').disabled = true; });
  });
  $('form').addEventListener('submit', (ev) => ev.preventDefault());
  $('stop').addEventListener('click', () => { stopRequested = true; });
  $('download').addEventListener('click', () => lastModel && download(lastModel.bytes, lastModel.name));
  setStatus(ctx.isCpu ? 'ready; this is a CPU adapter: lenet or fast finish in minutes here, bncnn and cnn take hours on the whole data set' : 'ready');
}

void main();

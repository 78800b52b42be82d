// Draw page: mouse/touch strokes -> MNIST-style preprocessing (the CLI's) -> the model on the GPU,
// re-run while drawing. The model comes from a saved file, the train page (IndexedDB), or else the
// small pretrained LeNet that ships with the project (data/pretrained/).
import type { GpuContext } from '../gpu/context.js';
import { preprocess, ImageError } from '../data/preprocess.js';
import { decodeModel } from '../train/model_file.js';
import { Predictor } from '../train/predict.js';
import { $, el, fromBase64, pageContext, setStatus } from './common.js';
import { loadLastModel } from './model_store.js';
import pretrainedUrl from '../../data/pretrained/lenet-mnist.safetensors?url';

const PRETRAINED = 'the pretrained lenet-mnist.safetensors';

const pad = $<HTMLCanvasElement>('pad');
const g = pad.getContext('2d', { willReadFrequently: true })!;
let predictor: Predictor | null = null;
let pending = false, again = false;
let last: { digit: number; probs: number[] } | null = null;

function clear(): void {
  g.fillStyle = '#fff';
  g.fillRect(0, 0, pad.width, pad.height);
  $('digit').textContent = '?';
  $('probs').replaceChildren();
  last = null;
}

async function useModel(ctx: GpuContext, bytes: Uint8Array, name: string): Promise<void> {
  const { model, weights } = decodeModel(bytes, name);
  predictor?.destroy();
  predictor = null;
  model.store.materialize(ctx, weights, 0);
  predictor = await Predictor.create(ctx, model);
  $('model-name').textContent = `${name} (${model.spec.name})`;
  setStatus(`loaded ${name}`);
  await predictNow();
}

/** Predicts from the pad; a request while one runs is coalesced into one more run after it. */
async function predictNow(): Promise<typeof last> {
  if (!predictor) return null;
  if (pending) { again = true; return last; }
  pending = true;
  try {
    const rgba = g.getImageData(0, 0, pad.width, pad.height).data;
    const gray = new Uint8Array(pad.width * pad.height).map((_, i) => rgba[4 * i]);
    let x: Uint8Array;
    try {
      x = preprocess({ width: pad.width, height: pad.height, data: gray }, 'drawing');
    } catch (e) {
      if (!(e instanceof ImageError)) throw e;
      $('digit').textContent = '?';
      return (last = null);
    }
    const seen = new ImageData(28, 28);
    x.forEach((v, i) => seen.data.set([v, v, v, 255], 4 * i));
    $<HTMLCanvasElement>('seen').getContext('2d')!.putImageData(seen, 0, 0);
    const probs = Array.from(await predictor.predict(x));
    const digit = probs.indexOf(Math.max(...probs));
    $('digit').textContent = String(digit);
    $('probs').replaceChildren(...probs.map((p, k) => {
      const bar = el('span', { className: 'bar' });
      bar.style.width = `${Math.round(160 * p)}px`;
      return el('div', { id: `p${k}` }, `${k}`, bar, `${(100 * p).toFixed(1)}%`);
    }));
    return (last = { digit, probs });
  } finally {
    pending = false;
    if (again) { again = false; void predictNow(); }
  }
}

function strokes(): void {
  let down = false, lastT = 0;
  const at = (e: PointerEvent) => { const r = pad.getBoundingClientRect(); return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height]; };
  g.lineCap = 'round';
  g.lineJoin = 'round';
  pad.addEventListener('pointerdown', (e) => { down = true; pad.setPointerCapture(e.pointerId); const [x, y] = at(e); g.beginPath(); g.moveTo(x, y); });
  pad.addEventListener('pointermove', (e) => {
    if (!down) return;
    const [x, y] = at(e);
    g.strokeStyle = '#000';
    g.lineWidth = 20;
    g.lineTo(x, y);
    g.stroke();
    if (performance.now() - lastT > 120) { lastT = performance.now(); void predictNow(); }
  });
  const up = () => { if (down) { down = false; void predictNow(); } };
  pad.addEventListener('pointerup', up);
  pad.addEventListener('pointercancel', up);
}

async function main(): Promise<void> {
  clear();
  strokes();
  $('clear').addEventListener('click', clear);
  const ctx = await pageContext();
  const w = window as unknown as { cnn?: object };
  if (!ctx) { w.cnn = { error: 'no WebGPU' }; return; }
  const fail = (e: Error) => setStatus(`error: ${e.message}`, 'error');
  $<HTMLInputElement>('model-file').addEventListener('change', (ev) => {
    const f = (ev.target as HTMLInputElement).files?.[0];
    if (f) f.arrayBuffer().then((b) => useModel(ctx, new Uint8Array(b), f.name)).catch(fail);
  });
  const fromTrainPage = async (quiet: boolean) => {
    const m = await loadLastModel();
    if (m) await useModel(ctx, m.bytes, `${m.name} from the train page`);
    else if (!quiet) setStatus('no model trained on the train page yet', 'error');
  };
  const pretrained = async () => {
    const res = await fetch(pretrainedUrl);
    if (!res.ok) throw new Error(`${PRETRAINED}: HTTP ${res.status}`);
    await useModel(ctx, new Uint8Array(await res.arrayBuffer()), PRETRAINED);
  };
  $('use-last').addEventListener('click', () => fromTrainPage(false).catch(fail));
  $('use-pretrained').addEventListener('click', () => pretrained().catch(fail));
  w.cnn = { loadModel: (b64: string, name: string) => useModel(ctx, fromBase64(b64), name), predict: () => predictNow(), clear, modelName: () => $('model-name').textContent };
  setStatus('loading a model…');
  // The train page's last model if there is one, else the pretrained one: drawing works at once.
  await fromTrainPage(true).catch(() => undefined);
  if (!predictor) await pretrained().catch(fail);
}

void main();

// `train --runtime browser`: the train page's trainer in headless Chromium, fed the same (limited)
// data the Node runtime would use; progress and per-epoch model/checkpoint bytes come back here.
import { encodeIdx } from '../data/idx.js';
import type { Split } from '../data/mnist.js';
import type { EpochResult, EvalPoint, Progress, TrainConfig, TrainHooks } from '../train/trainer.js';
import type { Reached, SetupTimes } from '../train/clock.js';
import { openPage } from './runtime.js';
import type { SelectionConfig } from '../kernels/select.js';

export interface BrowserTrainHooks extends Pick<TrainHooks, 'onProgress' | 'onSetup' | 'onEval'> {
  log(msg: string): void;
  onEpoch(r: EpochResult, model: Uint8Array, checkpoint: Uint8Array): void;
}

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

export function dataFiles(name: string, split: Split): Map<string, Uint8Array> {
  const f = (file: string, dims: number[], data: Uint8Array) => [`/data/${name}/${file}`, encodeIdx(dims, data)] as const;
  const { train, test } = split;
  return new Map([
    f('train-images-idx3-ubyte', [train.count, train.rows, train.cols], train.images.subarray(0, train.count * train.rows * train.cols)),
    f('train-labels-idx1-ubyte', [train.count], train.labels.subarray(0, train.count)),
    f('t10k-images-idx3-ubyte', [test.count, test.rows, test.cols], test.images.subarray(0, test.count * test.rows * test.cols)),
    f('t10k-labels-idx1-ubyte', [test.count], test.labels.subarray(0, test.count)),
  ]);
}

export async function trainInBrowser(chromium: string | undefined, dataset: string, split: Split, cfg: TrainConfig, resume: Uint8Array | undefined, hooks: BrowserTrainHooks, selection: SelectionConfig = {}): Promise<{ results: EpochResult[]; reached?: Reached }> {
  const results: EpochResult[] = [];
  let reached: Reached | undefined;
  let failure: Error | null = null;
  const page = await openPage('train.html', {
    chromium, data: dataFiles(dataset, split),
    onConsoleError: (t) => hooks.log(`page: ${t}`),
    onReport: (m) => {
      try {
        if (m.type === 'start') hooks.log(`adapter: ${m.adapter} (in the browser)`);
        else if (m.type === 'versions') hooks.log(String(m.versions));
        else if (m.type === 'progress') hooks.onProgress?.(m.p as Progress);
        else if (m.type === 'setup') hooks.onSetup?.(m.t as SetupTimes);
        else if (m.type === 'eval') hooks.onEval?.(m.p as EvalPoint);
        else if (m.type === 'done') reached = (m.reached ?? undefined) as Reached | undefined;
        else if (m.type === 'epoch') {
          results.push(m.r as EpochResult);
          hooks.onEpoch(m.r as EpochResult, b64(m.model as string), b64(m.checkpoint as string));
        }
      } catch (e) {
        failure ??= e as Error;
      }
    },
  });
  hooks.log(`runtime: browser, ${page.chromium} (Chromium ${page.version}, headless)`);
  try {
    await page.call('train', { dataset, cfg, selection, resume: resume ? Buffer.from(resume).toString('base64') : undefined });
  } finally {
    await page.close();
  }
  if (failure) throw failure;
  return { results, reached };
}

// The CLI on files a user may get wrong: each fails in one line naming the file, before any GPU work.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { encodeCheckpoint, encodeModel } from '../../src/train/model_file.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/train/safetensors.js';
import { Sequential } from '../../src/nn/model.js';
import { PRESETS } from '../../src/nn/presets.js';

const CLI = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'cnn-files-'));

function cli(args: string[], env: Record<string, string> = {}): { code: number; err: string } {
  const r = spawnSync('node', [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status ?? -1, err: r.stderr.split('\n').filter((l) => l.startsWith('error') || /^\s+at /.test(l)).join('\n') };
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm test builds it first (pretest)`);
  const m = new Sequential(PRESETS.lenet);
  const w = m.store.initialValues(1);
  writeFileSync(join(dir, 'good.safetensors'), encodeModel(PRESETS.lenet, m.store, w));
  const nan = w.slice();
  nan[7] = NaN;
  writeFileSync(join(dir, 'nan.safetensors'), encodeModel(PRESETS.lenet, m.store, nan));
  const c = decodeSafetensors(encodeCheckpoint({ spec: PRESETS.lenet, weights: w, slots: [], optimizer: { type: 'sgd', lr: 0.1 }, epoch: 1, step: 9, config: {} }, m.store), 'c');
  writeFileSync(join(dir, 'abc.ckpt'), encodeSafetensors(c.tensors, { ...c.metadata, epoch: 'abc' }));
  writeFileSync(join(dir, 'opt.ckpt'), encodeSafetensors(c.tensors, { ...c.metadata, optimizer: '{"type":' }));
  const png = new PNG({ width: 40, height: 40 });
  png.data.fill(255);
  for (let y = 10; y < 30; y++) for (let x = 18; x < 22; x++) png.data.fill(0, 4 * (y * 40 + x), 4 * (y * 40 + x) + 3); // a dark "1"
  const bytes = PNG.sync.write(png);
  writeFileSync(join(dir, 'one.png'), bytes);
  writeFileSync(join(dir, 'cut.png'), bytes.subarray(0, bytes.length - 30));
  for (const d of ['model.dir', 'image.png', 'ckpt.dir', 'data/train-images-idx3-ubyte.gz']) mkdirSync(join(dir, d), { recursive: true });
});

describe('CLI: bad files fail in one line naming the file', () => {
  const cases: Array<[string[], string, Record<string, string>?]> = [
    [['evaluate', '--model', 'model.dir'], 'error: model.dir: is a directory, not a model file'],
    [['predict', '--model', 'good.safetensors', 'image.png'], 'error: image.png: is a directory, not an image'],
    [['predict', '--model', 'good.safetensors', 'cut.png'], 'error: cut.png: truncated or corrupt PNG (the file ends early)'],
    [['train', '--resume', '--checkpoint', 'ckpt.dir'], 'error: ckpt.dir: is a directory, not a checkpoint'],
    [['evaluate', '--model', 'good.safetensors'], `error: ${join(dir, 'data/train-images-idx3-ubyte.gz')}: is a directory, not a data file`, { MNIST_DIR: join(dir, 'data') }],
    [['evaluate', '--model', 'nan.safetensors'], 'error: nan.safetensors: tensor 0.conv2d.weight holds NaN at index 7 (diverged training or a corrupt file)'],
    [['predict', '--model', 'nan.safetensors', 'one.png'], 'error: nan.safetensors: tensor 0.conv2d.weight holds NaN at index 7 (diverged training or a corrupt file)'],
    [['train', '--resume', '--checkpoint', 'abc.ckpt'], 'error: abc.ckpt: epoch "abc" in metadata is not a non-negative integer'],
    [['train', '--resume', '--checkpoint', 'opt.ckpt'], 'error: opt.ckpt: corrupt optimizer settings in metadata (not valid JSON)'],
  ];
  it.each(cases)('%j', (args, want, env) => {
    const r = cli(args, env);
    expect(r.code).not.toBe(0);
    expect(r.err).toBe(want); // exactly one line: no stack trace
  });
});

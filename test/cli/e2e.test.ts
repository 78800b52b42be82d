// The CLI end to end on real MNIST (MNIST_DIR): train a LeNet on a subset, resume it, evaluate it,
// predict image files, and check that bad input fails with one line and damages nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { loadDir } from '../../src/data/mnist.js';

const CLI = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'cnn-e2e-'));
const model = join(dir, 'lenet.safetensors');
const ckpt = join(dir, 'lenet.ckpt.safetensors');

function cli(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync('node', [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env }, timeout: 1_500_000 });
  // Dawn prints driver warnings on stderr; keep only our lines for the assertions.
  const err = r.stderr.split('\n').filter((l) => /^(error|adapter|training|epoch|saved|downloaded)/.test(l)).join('\n');
  return { code: r.status ?? -1, out: r.stdout, err };
}

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

beforeAll(() => {
  if (!process.env.MNIST_DIR) throw new Error('MNIST_DIR is not set; run with MNIST_DIR=../shared/data/mnist (as .ci/run does)');
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm test builds it first (pretest)`);
});

describe('CLI on real MNIST', () => {
  it('trains LeNet on 10,000 images, resumes, and reaches >= 95% on 1,000 held-out test images', () => {
    const args = (epochs: number) => ['train', '--model', 'lenet', '--train-limit', '10000', '--test-limit', '1000', '--batch', '64',
      '--lr', '0.003', '--epochs', String(epochs), '--out', model, '--checkpoint', ckpt, '--log-every', '40'];
    const first = cli(...args(2));
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/^epoch 2: /m);
    const resumed = cli(...args(3), '--resume');
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).not.toMatch(/^epoch [12]: /m); // continued from the checkpoint
    const acc = Number(/^epoch 3: .*test acc ([\d.]+)%/m.exec(resumed.out)?.[1]);
    console.log(`LeNet, 10,000 training images x 3 epochs: ${acc}% on 1,000 test images`);
    expect(acc).toBeGreaterThanOrEqual(95);
    expect(existsSync(model) && existsSync(ckpt)).toBe(true);
  }, 1_800_000); // ~4 min on an idle 2-core SwiftShader machine

  it('evaluates the saved model: accuracy, confusion matrix, precision/recall, mistakes grid', () => {
    const grid = join(dir, 'mistakes.png');
    const r = cli('evaluate', '--model', model, '--test-limit', '1000', '--mistakes', grid);
    expect(r.code, r.err).toBe(0);
    expect(Number(/^accuracy ([\d.]+)% on 1000 test images/m.exec(r.out)?.[1])).toBeGreaterThanOrEqual(95);
    const rows = r.out.split('\n').filter((l) => /^ {4}\d( +\d+){10}$/.test(l));
    expect(rows).toHaveLength(10);
    expect(rows.reduce((s, l) => s + l.trim().split(/ +/).slice(1).reduce((a, b) => a + Number(b), 0), 0)).toBe(1000);
    expect(r.out).toMatch(/^ {4}9 +[\d.]+% +[\d.]+%$/m);
    const png = PNG.sync.read(readFileSync(grid));
    expect(png.width % 30).toBe(0);
  });

  it('predicts image files after MNIST-style preprocessing (dark ink on white, off-centre, larger)', async () => {
    const test = (await loadDir(process.env.MNIST_DIR!)).test;
    const files: string[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 10; i++) {
      // A 3x upscaled, inverted copy placed off-centre on a 120x100 white canvas.
      const W = 120, H = 100, png = new PNG({ width: W, height: H });
      png.data.fill(255);
      for (let y = 0; y < 84; y++) for (let x = 0; x < 84; x++) {
        const v = 255 - test.images[i * 784 + Math.floor(y / 3) * 28 + Math.floor(x / 3)];
        const o = 4 * ((y + 8) * W + x + 30);
        png.data[o] = png.data[o + 1] = png.data[o + 2] = v;
      }
      const f = join(dir, `digit${i}.${i % 2 ? 'jpg' : 'png'}`);
      writeFileSync(f, i % 2 ? jpeg.encode({ data: png.data, width: W, height: H }, 95).data : PNG.sync.write(png));
      files.push(f);
      labels.push(test.labels[i]);
    }
    const r = cli('predict', '--model', model, ...files);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(10);
    const got = lines.map((l) => Number(/: (\d)  \(top-3: \d [\d.]+%, \d [\d.]+%, \d [\d.]+%\)$/.exec(l)?.[1]));
    const right = got.filter((g, i) => g === labels[i]).length;
    console.log(`predict: ${right}/10 correct (${got.join('')} vs ${labels.join('')})`);
    expect(right).toBeGreaterThanOrEqual(9);
  });

  it('rejects bad input with one line and a non-zero exit, never a stack trace', () => {
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    writeFileSync(join(dir, 'empty.png'), '');
    const huge = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(huge);
    huge.writeUInt32BE(100000, 16);
    huge.writeUInt32BE(100000, 20);
    writeFileSync(join(dir, 'huge.png'), huge);
    writeFileSync(join(dir, 'blank.png'), PNG.sync.write(new PNG({ width: 20, height: 20 }))); // transparent: white
    writeFileSync(join(dir, 'cut.safetensors'), readFileSync(model).subarray(0, 500));
    const cases: Array<[string[], RegExp]> = [
      [['predict', '--model', model, 'notes.txt'], /^error: notes.txt: not a PNG or JPEG image$/],
      [['predict', '--model', model, 'empty.png'], /^error: empty.png: empty file$/],
      [['predict', '--model', model, 'huge.png'], /^error: huge.png: 100000x100000 pixels is too large/],
      [['predict', '--model', model, 'missing.png'], /^error: missing.png: no such file$/],
      [['predict', '--model', model, 'blank.png'], /^error: blank.png: no digit found/],
      [['predict', '--model', 'cut.safetensors', join(dir, 'digit0.png')], /^error: cut.safetensors: .*(truncated|corrupt|not a safetensors)/],
      [['evaluate', '--model', 'nope.safetensors'], /^error: nope.safetensors: model file not found$/],
      [['train', '--resume', '--checkpoint', 'none.ckpt'], /^error: none.ckpt: checkpoint not found$/],
      [['train', '--epochs', 'three'], /^error: --epochs must be a number, got 'three'$/],
      [['train', '--optimizer', 'rmsprop'], /^error: --optimizer must be sgd, adam or adamw/],
    ];
    for (const [args, re] of cases) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.err, args.join(' ')).toMatch(re);
      expect(r.err).not.toMatch(/^\s+at /m);
    }
  });

  it('stops on a diverging loss and leaves the last good checkpoint and model untouched', () => {
    const before = [sha(ckpt), sha(model)];
    // SGD takes the raw step, so lr 1e30 overflows to Inf/NaN within a few steps (Adam would not).
    const r = cli('train', '--resume', '--checkpoint', ckpt, '--out', model, '--epochs', '4', '--optimizer', 'sgd', '--lr', '1e30', '--schedule', 'constant',
      '--train-limit', '2000', '--test-limit', '200', '--log-every', '5');
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/^error: loss became (NaN|Infinity|-Infinity|[\d.]+e\+\d+ \(above 1000, diverged\)) at epoch 4, step \d+; lower the learning rate; kept .*lenet.ckpt.safetensors \(epoch 3\) and .*lenet.safetensors \(epoch [123]\)$/m);
    expect([sha(ckpt), sha(model)]).toEqual(before);
  });
});

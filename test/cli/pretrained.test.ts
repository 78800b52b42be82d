// The pretrained model that ships in data/pretrained: evaluate and predict use it when no model is
// given, and it still evaluates at the accuracy the README states.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { loadDir } from '../../src/data/mnist.js';
import { pretrainedModelPath } from '../../src/cli/pretrained.js';

const CLI = resolve('dist/cli/main.js');
const cwd = mkdtempSync(join(tmpdir(), 'cnn-pretrained-'));
const cli = (...args: string[]) => spawnSync('node', [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env }, timeout: 600_000 });

describe('the pretrained model', () => {
  it('is found from the sources and the bundle, and is at most 1 MB', () => {
    const p = pretrainedModelPath();
    expect(p).toBe(resolve('data/pretrained/lenet-mnist.safetensors'));
    expect(pretrainedModelPath(resolve('dist/cli'))).toBe(p);
    expect(statSync(p!).size).toBeLessThanOrEqual(1 << 20);
  });

  it('evaluate with no model given uses it, at the accuracy the README states', () => {
    const stated = /It evaluates at \*\*([\d.]+)%\*\* MNIST test accuracy/.exec(readFileSync('README.md', 'utf8'))?.[1];
    expect(stated).toBeDefined();
    const r = cli('evaluate', '--autotune', 'off');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^model: .*data\/pretrained\/lenet-mnist\.safetensors \(no --model given: the pretrained model/m);
    expect(r.stdout).toMatch(new RegExp(`^accuracy ${stated!.replace('.', '\\.')}% on 10000 test images$`, 'm'));
  });

  it('predict with no model given reads MNIST test digits', async () => {
    const test = (await loadDir(process.env.MNIST_DIR!)).test;
    const files = [0, 1, 2, 3, 4].map((i) => {
      const png = new PNG({ width: 28, height: 28 });
      for (let p = 0; p < 784; p++) png.data.set([255 - test.images[i * 784 + p], 255 - test.images[i * 784 + p], 255 - test.images[i * 784 + p], 255], 4 * p);
      const f = join(cwd, `digit${i}.png`);
      writeFileSync(f, PNG.sync.write(png));
      return f;
    });
    const r = cli('predict', ...files, '--autotune', 'off');
    expect(r.status, r.stderr).toBe(0);
    const got = r.stdout.trim().split('\n').map((l) => Number(/: (\d)  \(top-3/.exec(l)?.[1]));
    expect(got).toEqual([0, 1, 2, 3, 4].map((i) => test.labels[i]));
  });
});

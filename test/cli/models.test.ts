// --model as an architecture file, and the recipe features of `train`: --target-acc (time to
// accuracy, the model that reached it saved), --eval-every, the one-off setup lines, the CPU
// estimate, --schedule onecycle. Bad files fail in one line naming the file and the layer, exit 1.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeSafetensors } from '../../src/train/safetensors.js';

const CLI = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'cnn-models-'));

function cli(...args: string[]): { code: number; out: string; err: string; errors: string[] } {
  const r = spawnSync('node', [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env }, timeout: 900_000 });
  // Dawn prints driver warnings on stderr; keep our lines.
  const err = r.stderr.split('\n').filter((l) => /^(error|estimate|training|autotune|kernels)|^\s+at /.test(l));
  return { code: r.status ?? -1, out: r.stdout, err: err.join('\n'), errors: err.filter((l) => /^error|^\s+at /.test(l)) };
}
const meta = (f: string) => decodeSafetensors(new Uint8Array(readFileSync(join(dir, f))), f).metadata;

const net = {
  name: 'net', input: [1, 28, 28], classes: 10,
  layers: [{ type: 'conv2d', in: 1, out: 8, kernel: 5, stride: 2 }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 }, { type: 'flatten' },
    { type: 'linear', in: 288, out: 10 }] as Array<Record<string, unknown>>,
};
const write = (name: string, edit: (s: typeof net) => void = () => {}) => {
  const s = structuredClone(net);
  edit(s);
  writeFileSync(join(dir, name), JSON.stringify(s));
};

beforeAll(() => {
  if (!process.env.MNIST_DIR) throw new Error('MNIST_DIR is not set; run with MNIST_DIR=../shared/data/mnist (as .ci/run does)');
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm test builds it first (pretest)`);
  write('net.json');
  write('gelu.json', (s) => { s.layers[1].type = 'gelu'; });
  write('nokernel.json', (s) => { delete s.layers[0].kernel; });
  write('badstride.json', (s) => { s.layers[0].stride = 0; });
  write('shape.json', (s) => { s.layers[4].in = 300; });
  writeFileSync(join(dir, 'cut.json'), JSON.stringify(net).slice(0, 40));
  mkdirSync(join(dir, 'dir.json'));
});

describe('--model file.json: a bad file is one line naming it, the layer and what is wrong (exit 1)', () => {
  const cases: Array<[string[], string]> = [
    [['train', '--model', 'gelu.json'], 'error: gelu.json: layer 1 (gelu): unknown layer type gelu'],
    [['train', '--model', 'nokernel.json'], 'error: nokernel.json: layer 0 (conv2d): kernel is missing'],
    [['train', '--model', 'badstride.json'], 'error: badstride.json: layer 0 (conv2d): stride 0 is not a positive integer'],
    [['train', '--model', 'shape.json'], 'error: shape.json: layer 4 (linear): expects 300 features, gets [288]'],
    [['train', '--model', 'missing.json'], 'error: missing.json: architecture file not found'],
    [['train', '--model', 'dir.json'], 'error: dir.json: is a directory, not an architecture file'],
    [['profile', '--model', 'gelu.json'], 'error: gelu.json: layer 1 (gelu): unknown layer type gelu'],
    [['kernels', '--model', 'lenet,shape.json'], 'error: shape.json: layer 4 (linear): expects 300 features, gets [288]'],
  ];
  it.each(cases)('%j', (args, want) => {
    const r = cli(...args);
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toBe(want);
  });

  it('not JSON: one line, exit 1; an unknown preset name is a usage error (exit 2)', () => {
    const r = cli('train', '--model', 'cut.json');
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toMatch(/^error: cut\.json: not JSON \([^\n]+\)$/);
    const u = cli('train', '--model', 'lenett');
    expect(u.code).toBe(2);
    expect(u.errors.join('\n')).toBe("error: unknown model 'lenett' (presets: lenet, cnn, keras, fast, bncnn; or an architecture file, name.json)");
  });

  it('rejects bad --target-acc and --eval-every values (exit 2)', () => {
    const cases: Array<[string[], string]> = [[['--target-acc', '0'], '--target-acc must be a test accuracy in percent, in (0, 100], got 0'],
      [['--target-acc', '101'], '--target-acc must be a test accuracy in percent, in (0, 100], got 101'],
      [['--eval-every', '0'], '--eval-every must be a positive integer, got 0'],
      [['--schedule', 'triangle'], "--schedule must be constant, step, cosine, onecycle, got 'triangle'"]];
    for (const [args, want] of cases) {
      const r = cli('train', '--model', 'lenet', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.errors.join('\n')).toBe(`error: ${want}`);
    }
  });
});

describe('training from a file and to a target (MNIST subsets, SwiftShader)', () => {
  it('trains the architecture in net.json with onecycle; the model file carries it and evaluates', () => {
    const r = cli('train', '--model', 'net.json', '--train-limit', '2048', '--test-limit', '300', '--epochs', '1', '--batch', '64', '--lr', '0.01',
      '--schedule', 'onecycle', '--autotune', 'off', '--out', 'net.safetensors', '--log-every', '8');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^training net on 2048 images/m);
    // A CPU adapter: the whole run estimated after its first steps.
    expect(r.err).toMatch(/^estimate: about \d+ (s|min)\b.* for 1 epoch at \d+ images\/s \(a CPU adapter\)$/m);
    expect(JSON.parse(meta('net.safetensors').architecture)).toEqual(net);
    const e = cli('evaluate', '--model', 'net.safetensors', '--test-limit', '300', '--autotune', 'off');
    expect(e.code, e.err).toBe(0);
    const acc = Number(/^accuracy ([\d.]+)% on 300 test images/m.exec(e.out)?.[1]);
    console.log(`net.json, 2,048 images x 1 epoch: ${acc}% on 300 test images`);
    expect(acc).toBeGreaterThan(50); // chance is 10%
    // --resume takes the architecture from the checkpoint; --model must then name the same one.
    const ck = ['train', '--resume', '--checkpoint', 'net.ckpt.safetensors', '--out', 'net.safetensors'];
    expect(cli(...ck, '--model', 'net.json').out).toMatch(/^nothing to do: the checkpoint is already at epoch 1 of 1$/m);
    const other = cli(...ck, '--model', 'lenet', '--epochs', '2');
    expect(other.code).toBe(2);
    expect(other.errors.join('\n')).toBe("error: --model lenet does not match the checkpoint's net");
  });

  it('fast with --target-acc: evaluates every N steps, stops when reached, prints time to accuracy, saves that model', () => {
    const r = cli('train', '--model', 'fast', '--train-limit', '4096', '--test-limit', '500', '--batch', '64', '--epochs', '2',
      '--target-acc', '85', '--eval-every', '8', '--log-every', '8', '--autotune', 'off', '--out', 'fast.safetensors');
    expect(r.code, r.err).toBe(0);
    console.log(r.out);
    expect(r.out).toMatch(/^data upload: [\d.]+ s \(4,096 training and 500 test images, once\)$/m);
    expect(r.out).toMatch(/^pipelines: [\d.]+ s \(compiling and choosing kernels, once, before the first step\)$/m);
    const evals = [...r.out.matchAll(/^epoch (\d), step (\d+)\/64: test acc ([\d.]+)%/gm)].map((m) => Number(m[3]));
    const t = /^time to 85\.00%: ([\d.]+) s of training \(reached ([\d.]+)% at epoch (\d), step (\d+)\/64, after ([\d,]+) images; (\d+) test evaluations? included, [\d.]+ s; data upload and pipelines not\)$/m.exec(r.out);
    expect(t, r.out).not.toBeNull();
    const [reached, epoch, step, evalCount] = [Number(t![2]), Number(t![3]), Number(t![4]), Number(t![6])];
    expect(reached).toBeGreaterThanOrEqual(85);
    expect(step % 8).toBe(0);
    expect(evals.filter((a) => a >= 85)).toHaveLength(step < 64 ? 1 : 0); // it stopped at the first
    expect(evalCount).toBeGreaterThanOrEqual(evals.length);
    // The model saved is the one that reached the target.
    expect(Number(meta('fast.safetensors').test_accuracy)).toBeCloseTo(reached / 100, 4);
    expect(Number(meta('fast.safetensors').epochs)).toBe(epoch);
    expect(r.out).toMatch(step < 64 ? new RegExp(`^epoch ${epoch} \\(stopped at step ${step}\\): `, 'm') : new RegExp(`^epoch ${epoch}: `, 'm'));
  });
});

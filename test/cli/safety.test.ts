// The CLI's safety rules end to end: flag and path checks before any work, the exit codes,
// --help per command, the --resume repair of a model an interrupted save left behind, and on a
// tiny LeNet run: a worse epoch keeps the better model (saying so), a loss blow-up stops with exit 4.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeSafetensors } from '../../src/train/safetensors.js';
import { decodeCheckpoint, encodeCheckpoint, encodeModel } from '../../src/train/model_file.js';
import { Sequential } from '../../src/nn/model.js';
import { PRESETS } from '../../src/nn/presets.js';

const CLI = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'cnn-safety-'));

function cliEnv(env: NodeJS.ProcessEnv, ...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync('node', [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600_000 });
  // Dawn prints driver warnings on stderr; keep only our lines.
  const err = r.stderr.split('\n').filter((l) => /^(error|training|removed|note)/.test(l)).join('\n');
  return { code: r.status ?? -1, out: r.stdout, err };
}
// Small settings first, so that if a check below were missing the run would still end quickly (and fail).
const TINY = ['--model', 'lenet', '--train-limit', '64', '--test-limit', '10', '--epochs', '1', '--batch', '32', '--quiet'];
const tiny = (args: string[]) => (args[0] === 'train' ? ['train', ...TINY, ...args.slice(1)] : args);
const cli = (...args: string[]) => cliEnv({}, ...args);
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const meta = (f: string) => decodeSafetensors(new Uint8Array(readFileSync(f)), f).metadata;

beforeAll(() => {
  if (!process.env.MNIST_DIR) throw new Error('MNIST_DIR is not set; run with MNIST_DIR=../shared/data/mnist (as .ci/run does)');
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm test builds it first (pretest)`);
});

describe('flags, paths and exit codes (no training)', () => {
  it('prints one command\'s usage with <command> --help, exit 0', () => {
    for (const cmd of ['train', 'evaluate', 'predict', 'profile', 'bench']) {
      const r = cli(cmd, '--help');
      expect(r.code, cmd).toBe(0);
      expect(r.out, cmd).toMatch(new RegExp(`^usage: webgpu-cnn ${cmd} \\[options\\]\\n  ${cmd} +--`));
      expect(r.out, cmd).toMatch(/^exit codes: 0 done; 1 bad input or data .*\n.*2 usage .*3 no WebGPU adapter.*\n.*4 training diverged/m);
    }
    expect(cli('train', '--help').out).toMatch(/--out holds the best epoch by test accuracy/);
    const all = cli('--help');
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/^ {2}evaluate {2}--model/m);
  });

  it('usage errors: one line, exit 2, nothing loaded', () => {
    const cases: Array<[string[], string]> = [
      [['train', '--lr='], '--lr needs a value'],
      [['train', '--out='], '--out needs a value'],
      [['train', '--train-limit', '-5'], '--train-limit must be a positive integer, got -5'],
      [['train', '--test-limit', '0'], '--test-limit must be a positive integer, got 0'],
      [['train', '--lr', '0'], '--lr must be > 0, got 0'],
      [['train', '--epochs', '2.5'], '--epochs must be a positive integer, got 2.5'],
      [['train', '--label-smoothing', '1'], '--label-smoothing must be in [0, 1), got 1'],
      [['train', '--label-smoothing', '-0.1'], '--label-smoothing must be in [0, 1), got -0.1'],
      [['train', '--beta1', '1'], '--beta1 must be in [0, 1), got 1'],
      [['train', '--beta2', '-0.5'], '--beta2 must be in [0, 1), got -0.5'],
      [['train', '--optimizer', 'sgd', '--beta1', '0.8'], '--beta1 applies to adam and adamw, not sgd (use --momentum)'],
      [['evaluate', '--test-limit', '0'], '--test-limit must be a positive integer, got 0'],
      [['train', '--out', 'a.safetensors', '--checkpoint', 'a.safetensors'], 'a.safetensors: named by both --out and --checkpoint; they must be different files'],
      [['frob'], "unknown command 'frob' (commands: train, evaluate, predict, kernels, setup, selftest, profile, bench; webgpu-cnn --help for usage)"],
    ];
    for (const [args, line] of cases) {
      const r = cli(...tiny(args));
      expect([r.code, r.err], args.join(' ')).toEqual([2, `error: ${line}`]);
    }
  });

  it('--beta1/--beta2 reach Adam and the checkpoint keeps them for --resume', () => {
    const ck = join(dir, 'betas.ckpt.safetensors');
    const r = cli('train', '--model', 'lenet', '--train-limit', '64', '--test-limit', '32', '--batch', '32', '--epochs', '1', '--quiet',
      '--beta1', '0.8', '--beta2', '0.95', '--out', join(dir, 'betas.safetensors'), '--checkpoint', ck);
    expect(r.code, r.err).toBe(0);
    const opt = (decodeCheckpoint(new Uint8Array(readFileSync(ck)), ck).config as { optimizer?: { beta1?: number; beta2?: number } }).optimizer;
    expect([opt?.beta1, opt?.beta2]).toEqual([0.8, 0.95]);
  });

  it('an output path that cannot be written fails before training or evaluating: one line naming it, exit 1', () => {
    mkdirSync(join(dir, 'adir'), { recursive: true });
    const cases: Array<[string[], string]> = [
      [['train', '--out', 'nodir/m.safetensors'], 'nodir/m.safetensors: directory nodir does not exist'],
      [['train', '--out', 'adir'], 'adir: is a directory, not a file'],
      [['train', '--out', 'ok.safetensors', '--checkpoint', 'adir'], 'adir: is a directory, not a file'],
      [['train', '--out', 'adir/m.safetensors', '--checkpoint', 'nodir/c.safetensors'], 'nodir/c.safetensors: directory nodir does not exist'],
      [['evaluate', '--model', 'any.safetensors', '--mistakes', 'nodir/grid.png'], 'nodir/grid.png: directory nodir does not exist'],
      [['profile', '--trace', 'adir'], 'adir: is a directory, not a file'],
    ];
    for (const [args, line] of cases) {
      const r = cli(...tiny(args));
      expect([r.code, r.err], args.join(' ')).toEqual([1, `error: ${line}`]); // no "training ..." line came first
    }
  });

  it('no WebGPU adapter: one line saying what to install, exit 3', () => {
    const none = '/nonexistent/icd.json';
    const r = cliEnv({ VK_ICD_FILENAMES: none, VK_DRIVER_FILES: none, WEBGPU_CNN_SWIFTSHADER_ICD: none }, ...tiny(['train', '--out', 'na.safetensors']));
    expect(r.code, r.err).toBe(3);
    expect(r.err.split('\n').filter((l) => l.startsWith('error'))).toEqual([expect.stringMatching(/^error: no WebGPU adapter found; tried .*: install chromium/)]);
  });
});

describe('--resume after an interrupted save (made by hand: checkpoint at epoch 2, model at epoch 1)', () => {
  const m = new Sequential(PRESETS.lenet);
  const w1 = m.store.initialValues(1), w2 = m.store.initialValues(2);
  const files = (ckptAcc: number) => {
    const out = join(dir, 'r.safetensors'), ckpt = join(dir, 'r.ckpt.safetensors');
    writeFileSync(out, encodeModel(PRESETS.lenet, m.store, w1, { epochs: '1', test_accuracy: '0.5' }));
    writeFileSync(ckpt, encodeCheckpoint({ spec: PRESETS.lenet, weights: w2, slots: [], optimizer: { type: 'sgd', lr: 0.01 }, epoch: 2, step: 20,
      config: { model: 'lenet', epochs: 2, batch: 32, testAccuracy: ckptAcc } }, m.store));
    return { out, ckpt };
  };

  it('rewrites the model from the checkpoint when the checkpoint is better, and says so', () => {
    const { out } = files(0.6);
    writeFileSync(`${out}.tmp-2147483646`, 'half a model from a crashed run');
    const r = cli('train', '--resume', '--out', out, '--quiet');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`repaired ${out}: it held epoch 1 (test acc 50.00%) but the checkpoint's epoch 2 is at least as good (60.00%), so a save was interrupted; rewrote it from the checkpoint\n` +
      'nothing to do: the checkpoint is already at epoch 2 of 2\n');
    expect(meta(out)).toMatchObject({ epochs: '2', test_accuracy: '0.6' });
    expect(r.err).toBe(`removed ${out}.tmp-2147483646, a temporary file left by an interrupted run`);
    expect(existsSync(`${out}.tmp-2147483646`)).toBe(false);
  });

  it('leaves a better model alone', () => {
    const { out } = files(0.4);
    const before = sha(out);
    const r = cli('train', '--resume', '--out', out, '--quiet');
    expect([r.code, r.out]).toEqual([0, 'nothing to do: the checkpoint is already at epoch 2 of 2\n']);
    expect(sha(out)).toBe(before);
  });

  it('a checkpoint whose epoch is not a number is a one-line data error (exit 1)', () => {
    const { ckpt } = files(0.6);
    const bytes = new Uint8Array(readFileSync(ckpt));
    const at = Buffer.from(bytes).indexOf('"epoch":"2"');
    bytes.set(new TextEncoder().encode('"epoch":"x"'), at);
    writeFileSync(ckpt, bytes);
    const r = cli('train', '--resume', '--checkpoint', ckpt);
    expect([r.code, r.err]).toEqual([1, `error: ${ckpt}: epoch "x" in metadata is not a non-negative integer`]);
  });
});

describe('tiny LeNet runs', () => {
  const out = join(dir, 'l.safetensors'), ckpt = join(dir, 'l.ckpt.safetensors');
  const args = (epochs: number, lr: string) => ['train', '--model', 'lenet', '--train-limit', '512', '--test-limit', '200', '--batch', '32', '--log-every', '4',
    '--quiet', '--out', out, '--epochs', String(epochs), '--lr', lr, ...(epochs > 1 ? ['--resume'] : [])];
  const ckptEpoch = () => decodeCheckpoint(new Uint8Array(readFileSync(ckpt)), ckpt).epoch;

  it('a worse epoch updates the checkpoint, keeps the better model and says so', () => {
    const first = cli(...args(1, '0.003'));
    expect(first.code, first.err).toBe(0);
    const best = /^epoch 1: .*test acc ([\d.]+%)/m.exec(first.out)?.[1];
    const model1 = sha(out);
    // Adam at lr 0.3 wrecks the weights within an epoch (about 15% here), without diverging.
    const worse = cli(...args(2, '0.3'));
    expect(worse.code, worse.err).toBe(0);
    expect(worse.out).toMatch(new RegExp(`^epoch 2: test acc [\\d.]+% is below the best ${best} \\(epoch 1\\); kept ${out} from epoch 1$`, 'm'));
    expect(worse.out).toMatch(new RegExp(`^kept ${out} \\(epoch 1, test accuracy ${best}\\), the best so far; saved checkpoint ${ckpt} \\(epoch 2\\)$`, 'm'));
    expect(sha(out)).toBe(model1);
    expect(ckptEpoch()).toBe(2);
  });

  // A huge finite loss on SwiftShader; a GPU may overflow to Inf or NaN first (trainer.divergence).
  it('a loss that blows up stops training: exit 4, files untouched', () => {
    const before = [sha(ckpt), sha(out)];
    const r = cli(...args(3, '1e6'));
    expect(r.code, r.err).toBe(4);
    expect(r.err).toMatch(new RegExp(`^error: loss became (?:[\\d.]+e\\+\\d+ \\(above 1000, diverged\\)|NaN|Infinity) at epoch 3, step \\d+; lower the learning rate; kept ${ckpt} \\(epoch 2\\) and ${out} \\(epoch 1\\)$`, 'm'));
    expect([sha(ckpt), sha(out)]).toEqual(before);
  });
});

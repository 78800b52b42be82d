// What train writes and when, without a GPU: the atomic writer on a full disk (injected ENOSPC),
// the best-model rule, the --resume repair decision, output path checks, stale temp files,
// the checkpoint's epoch/step validation and the flag validators.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAtomic, WriteError, type WriteFs } from '../../src/data/mnist.js';
import { EpochSaver, readModelState, reconcile } from '../../src/cli/saver.js';
import { checkOutput, checkOutputs, cleanStaleTemps } from '../../src/cli/outputs.js';
import { decodeCheckpoint, encodeCheckpoint, encodeModel } from '../../src/train/model_file.js';
import { Sequential } from '../../src/nn/model.js';
import { PRESETS } from '../../src/nn/presets.js';
import { intFlag, numFlag, parseArgs } from '../../src/cli/args.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'cnn-out-'));
const text = (f: string) => readFileSync(f, 'utf8');

/** The real fs, except that writing a file whose name matches `full` writes half of it and fails with ENOSPC. */
function fullDisk(full: RegExp): WriteFs {
  return {
    ...fs,
    writeFileSync(path, data) {
      if (!full.test(path)) return fs.writeFileSync(path, data);
      fs.writeFileSync(path, typeof data === 'string' ? data.slice(0, data.length >> 1) : data.subarray(0, data.length >> 1));
      throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
    },
  };
}

describe('writeAtomic on a full disk', () => {
  it('names the file and says the previous version is intact; leaves no temp file', () => {
    const d = fresh(), f = join(d, 'model.safetensors');
    writeFileSync(f, 'good old model');
    const err = (() => { try { writeAtomic(f, 'new model bytes', fullDisk(/model/)); } catch (e) { return e as Error; } })();
    expect(err).toBeInstanceOf(WriteError);
    expect(err!.message).toBe(`${f}: no space left on device; the previous ${f} is intact`);
    expect(text(f)).toBe('good old model');
    expect(readdirSync(d)).toEqual(['model.safetensors']);
  });

  it('says nothing about a previous file when there was none', () => {
    const d = fresh(), f = join(d, 'grid.png');
    expect(() => writeAtomic(f, 'png', fullDisk(/grid/))).toThrow(new RegExp(`^${f}: no space left on device$`));
    expect(readdirSync(d)).toEqual([]);
  });
});

describe('EpochSaver: checkpoint always, model only when not worse', () => {
  const setup = () => {
    const d = fresh();
    return { d, out: join(d, 'm.safetensors'), ckpt: join(d, 'm.ckpt.safetensors') };
  };
  const bytes = (s: string) => new TextEncoder().encode(s);

  it('keeps the better model, says so in one line, and replaces it on a tie', () => {
    const { out, ckpt } = setup();
    const s = new EpochSaver(out, ckpt, undefined);
    expect(s.save({ epoch: 1, testAcc: 0.9 }, bytes('model1'), bytes('ckpt1'))).toBeUndefined();
    expect(s.save({ epoch: 2, testAcc: 0.981 }, bytes('model2'), bytes('ckpt2'))).toBeUndefined();
    expect(s.save({ epoch: 3, testAcc: 0.112 }, bytes('model3'), bytes('ckpt3'))).toBe(`epoch 3: test acc 11.20% is below the best 98.10% (epoch 2); kept ${out} from epoch 2`);
    expect([text(out), text(ckpt)]).toEqual(['model2', 'ckpt3']);
    expect(s.kept()).toBe(`kept ${ckpt} (epoch 3) and ${out} (epoch 2)`);
    s.save({ epoch: 4, testAcc: 0.981 }, bytes('model4'), bytes('ckpt4'));
    expect(text(out)).toBe('model4');
  });

  it('a full disk while writing the checkpoint: names it, and both previous files are intact', () => {
    const { out, ckpt } = setup();
    const ok = new EpochSaver(out, ckpt, undefined);
    ok.save({ epoch: 1, testAcc: 0.5 }, bytes('model1'), bytes('ckpt1'));
    const s = new EpochSaver(out, ckpt, ok.best, fullDisk(/ckpt/));
    s.ckptEpoch = 1;
    expect(() => s.save({ epoch: 2, testAcc: 0.6 }, bytes('model2'), bytes('ckpt2')))
      .toThrow(new RegExp(`^${ckpt}: no space left on device; the previous ${ckpt} \\(epoch 1\\) and ${out} \\(epoch 1\\) are intact$`));
    expect([text(out), text(ckpt)]).toEqual(['model1', 'ckpt1']);
  });

  it('a full disk while writing the model: the old model is intact and --resume can rewrite it', () => {
    const { d, out, ckpt } = setup();
    new EpochSaver(out, ckpt, undefined).save({ epoch: 1, testAcc: 0.5 }, bytes('model1'), bytes('ckpt1'));
    const s = new EpochSaver(out, ckpt, { epoch: 1, testAcc: 0.5 }, fullDisk(/m\.safetensors/));
    expect(() => s.save({ epoch: 2, testAcc: 0.6 }, bytes('model2'), bytes('ckpt2')))
      .toThrow(`${out}: no space left on device; the previous ${out} (epoch 1) is intact; ${ckpt} holds epoch 2, and --resume writes the model from it`);
    expect([text(out), text(ckpt)]).toEqual(['model1', 'ckpt2']);
    expect(readdirSync(d).sort()).toEqual(['m.ckpt.safetensors', 'm.safetensors']);
  });
});

describe('--resume: is the model file behind the checkpoint?', () => {
  const out = 'm.safetensors';
  it('repairs a model an interrupted save left behind, or a missing/unreadable one', () => {
    expect(reconcile(out, { epoch: 3, testAcc: 0.98 }, { epoch: 2, testAcc: 0.97 }).repair)
      .toBe('repaired m.safetensors: it held epoch 2 (test acc 97.00%) but the checkpoint\'s epoch 3 is at least as good (98.00%), so a save was interrupted; rewrote it from the checkpoint');
    expect(reconcile(out, { epoch: 3, testAcc: 0.97 }, { epoch: 2, testAcc: 0.97 }).best).toEqual({ epoch: 3, testAcc: 0.97 });
    expect(reconcile(out, { epoch: 3, testAcc: 0.9 }, undefined).repair).toBe('m.safetensors was missing; wrote the checkpoint\'s epoch 3, test acc 90.00% to it');
    expect(reconcile(out, { epoch: 3 }, { error: 'too short' }).repair).toMatch(/^m.safetensors could not be read \(too short\); rewrote it from the checkpoint's epoch 3$/);
  });

  it('leaves a better or newer model alone', () => {
    expect(reconcile(out, { epoch: 3, testAcc: 0.11 }, { epoch: 2, testAcc: 0.98 })).toEqual({ best: { epoch: 2, testAcc: 0.98 } });
    expect(reconcile(out, { epoch: 3, testAcc: 0.98 }, { epoch: 3, testAcc: 0.98 }).repair).toBeUndefined();
    expect(reconcile(out, { epoch: 3 }, { epoch: 1, testAcc: 0.5 }).repair).toBeUndefined(); // an old checkpoint: no accuracy to compare
  });

  it('reads the epoch and accuracy a model file holds, or why it cannot', () => {
    const d = fresh(), f = join(d, 'm.safetensors');
    const m = new Sequential(PRESETS.lenet);
    writeFileSync(f, encodeModel(PRESETS.lenet, m.store, m.store.initialValues(1), { epochs: '4', test_accuracy: '0.75' }));
    expect(readModelState(f)).toEqual({ epoch: 4, testAcc: 0.75 });
    writeFileSync(f, 'junk');
    expect(readModelState(f)).toEqual({ error: expect.stringMatching(/too short/) });
    expect(readModelState(join(d, 'none'))).toBeUndefined();
  });
});

describe('output paths and stale temp files', () => {
  it('names the path that cannot be written, before any work', () => {
    const d = fresh();
    mkdirSync(join(d, 'sub'));
    writeFileSync(join(d, 'file'), '');
    expect(() => checkOutput(join(d, 'missing', 'm.safetensors'))).toThrow(`${join(d, 'missing', 'm.safetensors')}: directory ${join(d, 'missing')} does not exist`);
    expect(() => checkOutput(join(d, 'sub'))).toThrow(`${join(d, 'sub')}: is a directory, not a file`);
    expect(() => checkOutput(join(d, 'file', 'x'))).toThrow(`${join(d, 'file', 'x')}: ${join(d, 'file')} is not a directory`);
    expect(() => checkOutputs([['--out', join(d, 'a')], ['--checkpoint', join(d, '.', 'a')]])).toThrow(/named by both --out and --checkpoint/);
    expect(() => checkOutputs([['--out', join(d, 'a')], ['--checkpoint', join(d, 'b')]])).not.toThrow();
  });

  it('removes temp files whose writer is gone, and only those', () => {
    const d = fresh(), out = join(d, 'm.safetensors');
    const names = ['m.safetensors.tmp-2147483646', `m.safetensors.tmp-${process.ppid}`, 'm.safetensors.tmp-abc', 'other.tmp-2147483646'];
    for (const n of names) writeFileSync(join(d, n), 'x');
    expect(cleanStaleTemps([out])).toEqual([join(d, names[0])]);
    expect(readdirSync(d).sort()).toEqual(names.slice(1).sort());
  });
});

describe('checkpoint counts and flag values', () => {
  it('rejects a checkpoint whose epoch or step is not a whole number, naming the file', () => {
    const m = new Sequential(PRESETS.lenet);
    const w = m.store.initialValues(1);
    const ck = (epoch: unknown, step: unknown) => encodeCheckpoint({ spec: PRESETS.lenet, weights: w, slots: [], optimizer: { type: 'sgd', lr: 0.1 }, epoch: epoch as number, step: step as number, config: {} }, m.store);
    expect(() => decodeCheckpoint(ck('abc', 10), 'c.st')).toThrow('c.st: epoch "abc" in metadata is not a non-negative integer');
    expect(() => decodeCheckpoint(ck(2, -1), 'c.st')).toThrow('c.st: step "-1" in metadata is not a non-negative integer');
    expect(() => decodeCheckpoint(ck(2, ''), 'c.st')).toThrow('c.st: step "" in metadata is not a non-negative integer');
    expect(() => decodeCheckpoint(ck(1.5, 3), 'c.st')).toThrow('c.st: epoch "1.5" in metadata is not a non-negative integer');
    expect(decodeCheckpoint(ck(2, 30), 'c.st').epoch).toBe(2);
  });

  it('rejects empty values and out-of-range numbers', () => {
    const spec = { lr: 'number', out: 'string' } as const;
    for (const a of [['--lr='], ['--out='], ['--lr', ''], ['--out', ' ']]) expect(() => parseArgs(a, spec), a.join(' ')).toThrow(/^--(lr|out) needs a value$/);
    expect(() => intFlag({ 'train-limit': -5 }, 'train-limit', 0, 1)).toThrow('--train-limit must be a positive integer, got -5');
    expect(() => intFlag({ warmup: 2.5 }, 'warmup', 0, 0)).toThrow('--warmup must be an integer >= 0, got 2.5');
    expect(intFlag({}, 'epochs', 7, 1)).toBe(7);
    expect(() => numFlag({ lr: 0 }, 'lr', 1, 0, Infinity, true)).toThrow('--lr must be > 0, got 0');
    expect(() => numFlag({ momentum: 1 }, 'momentum', 0.9, 0, 1)).toThrow('--momentum must be in [0, 1), got 1');
    expect(numFlag({ lr: 1e6 }, 'lr', 1, 0, Infinity, true)).toBe(1e6);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/train/safetensors.js';
import { decodeCheckpoint, decodeModel, encodeCheckpoint, encodeModel } from '../../src/train/model_file.js';
import { PRESETS, Sequential } from '../../src/nn/model.js';
import { lrAt } from '../../src/optim/schedule.js';
import { parseArgs } from '../../src/cli/args.js';

describe('model and checkpoint files (safetensors layout)', () => {
  it('round-trips tensors and metadata with an 8-byte aligned data section', () => {
    const bytes = encodeSafetensors({ a: { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }, b: { shape: [1], data: Float32Array.from([-7]) } }, { k: 'v' });
    const len = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + len) % 8).toBe(0);
    const d = decodeSafetensors(bytes, 'f');
    expect(Array.from(d.tensors.a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(d.tensors.b.shape).toEqual([1]);
    expect(d.metadata.k).toBe('v');
  });

  it('saves a model and a checkpoint that load back exactly', () => {
    const m = new Sequential(PRESETS.lenet);
    const w = m.store.initialValues(3);
    const model = decodeModel(encodeModel(PRESETS.lenet, m.store, w), 'm');
    expect(model.spec).toEqual(PRESETS.lenet);
    expect(model.weights).toEqual(w);
    const c = { spec: PRESETS.lenet, weights: w, slots: [w.map((v) => v * 2), w.map((v) => v * 3)], optimizer: { type: 'adam' as const, lr: 0.01 }, epoch: 4, step: 400, config: { batch: 32 } };
    const back = decodeCheckpoint(encodeCheckpoint(c, m.store), 'c');
    expect(back.slots[1]).toEqual(c.slots[1]);
    expect([back.epoch, back.step, back.config.batch, back.optimizer.lr]).toEqual([4, 400, 32, 0.01]);
    expect(() => decodeCheckpoint(encodeModel(PRESETS.lenet, m.store, w), 'model.st')).toThrow(/model.st: a model file, not a checkpoint/);
  });

  it('names the file and the problem for damaged files', () => {
    const m = new Sequential(PRESETS.lenet);
    const good = encodeModel(PRESETS.lenet, m.store, m.store.initialValues(1));
    expect(() => decodeModel(good.subarray(0, 4), 'x')).toThrow(/^x: too short/);
    expect(() => decodeModel(good.subarray(0, good.length - 8), 'x')).toThrow(/^x: tensor .* do not match its shape or the file size/);
    const junk = good.slice();
    junk[8] = 0x78; // 'x': the header is no longer JSON
    expect(() => decodeModel(junk, 'x')).toThrow(/^x: corrupt header/);
    expect(() => decodeModel(encodeSafetensors({}, { format: 'other' }), 'x')).toThrow(/^x: not a webgpu-cnn file/);
    const wrong = encodeModel({ ...PRESETS.lenet, layers: PRESETS.lenet.layers.map((l) => (l.type === 'linear' && l.out === 120 ? { ...l, out: 121 } : l)) }, m.store, m.store.initialValues(1));
    expect(() => decodeModel(wrong, 'x')).toThrow(/^x: bad architecture/);
  });
});

describe('learning-rate schedules', () => {
  it('cosine decays from base to floor, step decays by gamma, warm-up ramps', () => {
    expect(lrAt(1, { kind: 'cosine' }, 0, 100, 10)).toBeCloseTo(1);
    expect(lrAt(1, { kind: 'cosine' }, 50, 100, 10)).toBeCloseTo(0.5);
    expect(lrAt(1, { kind: 'cosine', floor: 0.1 }, 100, 100, 10)).toBeCloseTo(0.1);
    expect(lrAt(1, { kind: 'step', gamma: 0.5, every: 2 }, 45, 100, 10)).toBeCloseTo(0.25);
    expect(lrAt(1, { kind: 'constant', warmup: 4 }, 1, 100, 10)).toBeCloseTo(0.5);
  });
});

describe('argument parser', () => {
  it('parses typed flags and rejects unknown or malformed ones', () => {
    const spec = { lr: 'number', out: 'string', resume: 'boolean' } as const;
    expect(parseArgs(['--lr', '0.1', '--out=m.st', '--resume', 'x.png'], spec)).toEqual({ flags: { lr: 0.1, out: 'm.st', resume: true }, positional: ['x.png'] });
    expect(() => parseArgs(['--lx', '1'], spec)).toThrow(/unknown option --lx/);
    expect(() => parseArgs(['--lr'], spec)).toThrow(/--lr needs a value/);
    expect(() => parseArgs(['--lr', 'fast'], spec)).toThrow(/--lr must be a number, got 'fast'/);
  });
});

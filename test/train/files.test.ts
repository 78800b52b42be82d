import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, FormatError } from '../../src/train/safetensors.js';
import { TINY } from '../helpers/samples.js';
import { decodeCheckpoint, decodeModel, encodeCheckpoint, encodeModel } from '../../src/train/model_file.js';
import { Sequential } from '../../src/nn/model.js';
import { PRESETS } from '../../src/nn/presets.js';
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

describe('model files a user may get wrong', () => {
  const m = new Sequential(TINY);
  const w = m.store.initialValues(2);
  const ckpt = () => encodeCheckpoint({ spec: TINY, weights: w, slots: [w.map((v) => v / 2), w.map((v) => v * v)], optimizer: { type: 'adam', lr: 0.001 }, epoch: 2, step: 50, config: {} }, m.store);
  /** The file re-encoded with its metadata changed by `edit` (tensors untouched). */
  const withMeta = (bytes: Uint8Array, edit: (md: Record<string, string>) => void) => {
    const d = decodeSafetensors(bytes, 'orig');
    edit(d.metadata);
    return encodeSafetensors(d.tensors, d.metadata);
  };
  const message = (f: () => unknown) => {
    try { f(); } catch (e) { expect(e).toBeInstanceOf(FormatError); return (e as Error).message; }
    throw new Error('no error thrown');
  };

  it('rejects a NaN or infinite weight, naming the file and the tensor', () => {
    const bad = w.slice();
    bad[5] = NaN;
    expect(message(() => decodeModel(encodeModel(TINY, m.store, bad), 'nan.st'))).toBe('nan.st: tensor 0.conv2d.weight holds NaN at index 5 (diverged training or a corrupt file)');
    const slot = w.slice();
    slot[m.store.params[3].offset + 1] = -Infinity;
    const c = encodeCheckpoint({ spec: TINY, weights: w, slots: [w, slot], optimizer: { type: 'adam', lr: 0.001 }, epoch: 1, step: 1, config: {} }, m.store);
    expect(message(() => decodeCheckpoint(c, 'inf.ckpt'))).toBe(`inf.ckpt: tensor optimizer.slot1.${m.store.params[3].name} holds -Infinity at index 1 (diverged training or a corrupt file)`);
  });

  it('names an unknown layer type or a missing layer field in the architecture', () => {
    const arch = (edit: (s: any) => void) => withMeta(encodeModel(TINY, m.store, w), (md) => { const s = JSON.parse(md.architecture); edit(s); md.architecture = JSON.stringify(s); });
    expect(message(() => decodeModel(arch((s) => { s.layers[1].type = 'gelu'; }), 'a.st'))).toBe('a.st: bad architecture in metadata (layer 1 (gelu): unknown layer type gelu)');
    expect(message(() => decodeModel(arch((s) => { delete s.layers[0].kernel; }), 'a.st'))).toBe('a.st: bad architecture in metadata (layer 0 (conv2d): kernel is missing)');
    expect(message(() => decodeModel(arch((s) => { s.layers[4].rate = 'x\ny'; }), 'a.st'))).toBe('a.st: bad architecture in metadata (layer 4 (dropout): rate "x\\ny" is not a number in [0, 1))');
    expect(message(() => decodeModel(withMeta(encodeModel(TINY, m.store, w), (md) => { md.architecture = '{"name":'; }), 'a.st'))).toMatch(/^a\.st: bad architecture in metadata \([^\n]+\)$/);
  });

  it('rejects corrupt optimizer settings and an epoch or step that is not a non-negative integer', () => {
    expect(decodeCheckpoint(ckpt(), 'c').epoch).toBe(2);
    const cases: Array<[(md: Record<string, string>) => void, string]> = [
      [(md) => { md.optimizer = '{"type":"adam",'; }, 'c: corrupt optimizer settings in metadata (not valid JSON)'],
      [(md) => { md.optimizer = '[1]'; }, 'c: optimizer settings in metadata is not a JSON object'],
      [(md) => { md.optimizer = '{"type":"lion","lr":1}'; }, 'c: unknown optimizer "lion" in metadata (expected sgd, adam, adamw)'],
      [(md) => { md.optimizer = '{"type":"sgd","lr":-1}'; }, 'c: optimizer learning rate -1 in metadata is not a positive number'],
      [(md) => { md.optimizer = '{"type":"adam","lr":1,"eps":0}'; }, 'c: optimizer eps 0 in metadata is not a number > 0 (Adam divides by it)'],
      [(md) => { md.config = 'nope'; }, 'c: corrupt training config in metadata (not valid JSON)'],
      [(md) => { md.epoch = 'abc'; }, 'c: epoch "abc" in metadata is not a non-negative integer'],
      [(md) => { md.epoch = '-1'; }, 'c: epoch "-1" in metadata is not a non-negative integer'],
      [(md) => { md.step = '1.5'; }, 'c: step "1.5" in metadata is not a non-negative integer'],
      [(md) => { delete md.step; }, 'c: step missing from metadata'],
    ];
    for (const [edit, want] of cases) expect(message(() => decodeCheckpoint(withMeta(ckpt(), edit), 'c'))).toBe(want);
  });

  it('rejects a header length past the end, a non-object entry, overlapping tensors and non-string metadata', () => {
    const good = encodeModel(TINY, m.store, w);
    const huge = good.slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 62n, true);
    expect(message(() => decodeModel(huge, 'h'))).toBe(`h: not a safetensors model file (header length 4611686018427387904 for a ${good.length}-byte file)`);
    const raw = (header: object, data = 8) => {
      const head = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + head.length + data);
      new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
      out.set(head, 8);
      return out;
    };
    expect(message(() => decodeSafetensors(raw({ a: null }), 'r'))).toBe('r: tensor a: entry is not a JSON object');
    const t = (o: number) => ({ dtype: 'F32', shape: [1], data_offsets: [o, o + 4] });
    expect(message(() => decodeSafetensors(raw({ a: t(0), b: t(2) }), 'r'))).toBe('r: tensor b overlaps tensor a');
    expect(message(() => decodeSafetensors(raw({ __metadata__: { format: 5 } }), 'r'))).toBe('r: corrupt header (__metadata__ is not a map of strings)');
    expect(message(() => decodeSafetensors(raw({ 'a\nb': t(6) }), 'r'))).toBe('r: tensor "a\\nb": data offsets [6,10] do not match its shape or the file size (truncated file?)');
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

  it('onecycle rises from base/25 to base over 30% of the run, then falls to base*4e-6 at the last step', () => {
    const at = (step: number, s = {}) => lrAt(0.01, { kind: 'onecycle', ...s }, step, 100, 10);
    expect(at(0)).toBeCloseTo(0.0004, 10);
    expect(at(15)).toBeCloseTo((0.0004 + 0.01) / 2, 10); // half-way up a cosine: the mean
    expect(at(30)).toBeCloseTo(0.01, 10);
    expect(at(30 + 69 / 2)).toBeCloseTo((0.01 + 4e-8) / 2, 10);
    expect(at(99)).toBeCloseTo(4e-8, 12);
    const lrs = Array.from({ length: 100 }, (_, i) => at(i));
    expect(lrs.slice(0, 31).every((v, i) => i === 0 || v > lrs[i - 1])).toBe(true);
    expect(lrs.slice(30).every((v, i) => i === 0 || v < lrs[29 + i])).toBe(true);
    // --warmup sets the rise; start and floor the ends.
    expect(at(10, { warmup: 10 })).toBeCloseTo(0.01, 10);
    expect(at(0, { start: 0.1 })).toBeCloseTo(0.001, 10);
    expect(at(99, { floor: 0.01 })).toBeCloseTo(1e-4, 10);
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

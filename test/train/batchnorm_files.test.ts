// BatchNorm and global average pooling in architectures, the parameter store and files (no GPU):
// channels taken from the layer before, mismatches named by layer, gamma/beta as parameters and
// the running statistics as buffers that model files and checkpoints save and load (and the
// optimizer slots leave out).
import { describe, expect, it } from 'vitest';
import { layerShapes, Sequential, type ModelSpec } from '../../src/nn/model.js';
import type { LayerSpec } from '../../src/nn/layers.js';
import { decodeCheckpoint, decodeModel, encodeCheckpoint, encodeModel } from '../../src/train/model_file.js';
import { decodeSafetensors, encodeSafetensors, FormatError } from '../../src/train/safetensors.js';

const BN: ModelSpec = {
  name: 'bn', input: [1, 8, 8], classes: 3,
  layers: [{ type: 'conv2d', in: 1, out: 4, kernel: 3, padding: 1 }, { type: 'batchnorm2d' }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
    { type: 'flatten' }, { type: 'linear', in: 64, out: 6 }, { type: 'batchnorm1d', channels: 6, momentum: 0.2 }, { type: 'relu' }, { type: 'linear', in: 6, out: 3 }],
};
const withLayers = (layers: LayerSpec[]): ModelSpec => ({ ...BN, layers });
const message = (f: () => unknown) => {
  try { f(); } catch (e) { return (e as Error).message; }
  throw new Error('no error thrown');
};

describe('batchnorm and global average pooling layers', () => {
  it('gamma and beta are parameters named by layer; the running statistics are buffers', () => {
    const { store } = new Sequential(BN);
    expect(store.params.map((p) => `${p.name} [${p.shape}]`)).toEqual(['0.conv2d.weight [4,1,3,3]', '0.conv2d.bias [4]', '1.batchnorm2d.weight [4]', '1.batchnorm2d.bias [4]',
      '5.linear.weight [6,64]', '5.linear.bias [6]', '6.batchnorm1d.weight [6]', '6.batchnorm1d.bias [6]', '8.linear.weight [3,6]', '8.linear.bias [3]']);
    expect(store.buffers.map((b) => b.name)).toEqual(['1.batchnorm2d.running_mean', '1.batchnorm2d.running_var', '6.batchnorm1d.running_mean', '6.batchnorm1d.running_var']);
    expect(store.stateSize).toBe(store.size + store.bufferSize);
    // gamma 1, beta 0; running mean 0, running var 1 (after the parameters in the host state).
    const s = store.initialValues(1);
    const values = (name: string) => {
      const p = store.params.find((q) => q.name === name), b = store.buffers.find((q) => q.name === name)!;
      const at = p ? p.offset : store.size + b.offset;
      return Array.from(s.subarray(at, at + (p ?? b).shape[0]));
    };
    expect(values('1.batchnorm2d.weight')).toEqual([1, 1, 1, 1]);
    expect(values('1.batchnorm2d.bias')).toEqual([0, 0, 0, 0]);
    expect(values('6.batchnorm1d.running_mean')).toEqual([0, 0, 0, 0, 0, 0]);
    expect(values('6.batchnorm1d.running_var')).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('takes channels from the layer before and names the layer that does not fit', () => {
    expect(layerShapes(BN)[1]).toEqual([4, 8, 8]);
    expect(layerShapes(BN)[6]).toEqual([6]);
    const gap = withLayers([{ type: 'conv2d', in: 1, out: 5, kernel: 3 }, { type: 'batchnorm2d', channels: 5 }, { type: 'globalavgpool2d' }, { type: 'linear', in: 5, out: 3 }]);
    expect(layerShapes(gap)).toEqual([[5, 6, 6], [5, 6, 6], [5], [3]]);
    expect(message(() => new Sequential(withLayers([BN.layers[0], { type: 'batchnorm2d', channels: 5 }, ...BN.layers.slice(2)]))))
      .toBe('layer 1 (batchnorm2d): has 5 channels, but the layer before gives 4');
    expect(message(() => new Sequential(withLayers([BN.layers[0], { type: 'batchnorm1d' }, ...BN.layers.slice(2)]))))
      .toBe('layer 1 (batchnorm1d): needs a [features] input, gets [4, 8, 8]');
    expect(message(() => new Sequential(withLayers([{ type: 'flatten' }, { type: 'batchnorm2d' }, { type: 'linear', in: 64, out: 3 }]))))
      .toBe('layer 1 (batchnorm2d): needs a [C, H, W] input, gets [64]');
    expect(message(() => new Sequential(withLayers([{ type: 'flatten' }, { type: 'globalavgpool2d' }, { type: 'linear', in: 64, out: 3 }]))))
      .toBe('layer 1 (globalavgpool2d): needs a [C, H, W] input, gets [64]');
  });

  it('model files and checkpoints save and load the running statistics; optimizer slots hold parameters only', () => {
    const m = new Sequential(BN);
    const w = m.store.initialValues(4);
    for (const b of m.store.buffers) for (let i = 0; i < b.shape[0]; i++) w[m.store.size + b.offset + i] = 0.5 + i / 10; // as if trained
    const bytes = encodeModel(BN, m.store, w);
    const file = decodeSafetensors(bytes, 'm');
    expect(Array.from(file.tensors['1.batchnorm2d.running_var'].data)).toEqual(Array.from(w.subarray(m.store.size + m.store.buffers[1].offset, m.store.size + m.store.buffers[1].offset + 4)));
    expect(decodeModel(bytes, 'm').weights).toEqual(w);

    const slots = [m.store.initialValues(5).subarray(0, m.store.size), m.store.initialValues(6).subarray(0, m.store.size)];
    const c = { spec: BN, weights: w, slots, optimizer: { type: 'adam' as const, lr: 0.01 }, epoch: 1, step: 10, config: {} };
    const ck = encodeCheckpoint(c, m.store);
    const names = Object.keys(decodeSafetensors(ck, 'c').tensors);
    expect(names).toContain('6.batchnorm1d.running_mean');
    expect(names.filter((n) => n.startsWith('optimizer.') && n.includes('running'))).toEqual([]);
    const back = decodeCheckpoint(ck, 'c');
    expect(back.weights).toEqual(w);
    expect(back.slots).toEqual(slots);
    // A state without the buffers is not a model state.
    expect(() => encodeModel(BN, m.store, w.subarray(0, m.store.size))).toThrow(`model state: ${m.store.size} values, the architecture has ${m.store.stateSize}`);
  });

  it('names the file and tensor for a missing or negative running variance, and bad batchnorm fields', () => {
    const m = new Sequential(BN), w = m.store.initialValues(4);
    const edit = (f: (t: ReturnType<typeof decodeSafetensors>) => void) => {
      const d = decodeSafetensors(encodeModel(BN, m.store, w), 'orig');
      f(d);
      return encodeSafetensors(d.tensors, d.metadata);
    };
    const fails = (bytes: Uint8Array) => {
      try { decodeModel(bytes, 'bn.st'); } catch (e) { expect(e).toBeInstanceOf(FormatError); return (e as Error).message; }
      throw new Error('no error thrown');
    };
    expect(fails(edit((d) => { delete d.tensors['1.batchnorm2d.running_mean']; }))).toBe('bn.st: tensor 1.batchnorm2d.running_mean is missing');
    expect(fails(edit((d) => { d.tensors['6.batchnorm1d.running_var'].data[2] = -0.5; }))).toBe('bn.st: tensor 6.batchnorm1d.running_var holds the negative variance -0.5 at index 2 (a corrupt file)');
    const arch = (layer: object) => edit((d) => { const s = JSON.parse(d.metadata.architecture); s.layers[1] = { ...s.layers[1], ...layer }; d.metadata.architecture = JSON.stringify(s); });
    expect(fails(arch({ momentum: 2 }))).toBe('bn.st: bad architecture in metadata (layer 1 (batchnorm2d): momentum 2 is not a number in [0, 1])');
    expect(fails(arch({ eps: 0 }))).toBe('bn.st: bad architecture in metadata (layer 1 (batchnorm2d): eps 0 is not a finite number > 0)');
    expect(fails(arch({ channels: 2.5 }))).toBe('bn.st: bad architecture in metadata (layer 1 (batchnorm2d): channels 2.5 is not a positive integer)');
    expect(fails(arch({ channels: 3 }))).toBe('bn.st: bad architecture in metadata (layer 1 (batchnorm2d): has 3 channels, but the layer before gives 4)');
  });
});

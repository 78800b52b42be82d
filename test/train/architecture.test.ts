// Architectures from JSON (files, model metadata, presets): every field checked, the layer named
// by index in one line, types and shapes decided by the model code (buildLayer, layerShapes).
import { describe, expect, it } from 'vitest';
import { checkArchitecture, parseArchitecture } from '../../src/nn/architecture.js';
import { PRESETS } from '../../src/nn/presets.js';
import { layerShapes, Sequential } from '../../src/nn/model.js';

const good = () => ({
  name: 'mine', input: [1, 28, 28], classes: 10,
  layers: [{ type: 'conv2d', in: 1, out: 8, kernel: 3, stride: 2, padding: 1 }, { type: 'relu' }, { type: 'avgpool2d', kernel: 2 }, { type: 'flatten' },
    { type: 'dropout', rate: 0.25 }, { type: 'linear', in: 392, out: 10 }] as Array<Record<string, unknown>>,
});
const why = (v: unknown) => { try { checkArchitecture(v); } catch (e) { return (e as Error).message; } return 'accepted'; };

describe('architectures', () => {
  it('accepts a good one and builds it', () => {
    const spec = checkArchitecture(good());
    expect(layerShapes(spec).at(-1)).toEqual([10]);
    expect(new Sequential(spec).store.params.map((p) => p.name)).toEqual(['0.conv2d.weight', '0.conv2d.bias', '5.linear.weight', '5.linear.bias']);
  });

  it('names the layer and what is wrong', () => {
    const edit = (f: (s: ReturnType<typeof good>) => void) => { const s = good(); f(s); return why(s); };
    expect(edit((s) => { s.layers[2].type = 'gelu'; })).toBe('layer 2 (gelu): unknown layer type gelu');
    expect(edit((s) => { delete s.layers[2].type; })).toBe('layer 2: type is missing');
    expect(edit((s) => { s.layers[1] = [] as never; })).toBe('layer 1: not a JSON object');
    expect(edit((s) => { delete s.layers[0].kernel; })).toBe('layer 0 (conv2d): kernel is missing');
    expect(edit((s) => { s.layers[0].kernel = 2.5; })).toBe('layer 0 (conv2d): kernel 2.5 is not a positive integer');
    expect(edit((s) => { s.layers[0].padding = -1; })).toBe('layer 0 (conv2d): padding -1 is not a non-negative integer');
    expect(edit((s) => { s.layers[4].rate = 1; })).toBe('layer 4 (dropout): rate 1 is not a number in [0, 1)');
    expect(edit((s) => { s.layers[0].stide = 2; })).toBe('layer 0 (conv2d): unknown field "stide"');
    expect(edit((s) => { s.layers[5].in = 400; })).toBe('layer 5 (linear): expects 400 features, gets [392]');
    expect(edit((s) => { s.layers[0].in = 3; })).toBe('layer 0 (conv2d): expects 3 channels, gets [1, 28, 28]');
    expect(edit((s) => { s.layers[5].out = 9; })).toBe('model mine: ends in [9], expected [10]');
    expect(edit((s) => { s.layers = []; })).toBe('layers is not a non-empty array');
    expect(edit((s) => { s.input = [28, 28] as never; })).toBe('input [28,28] is not 3 positive integers [C, H, W]');
    expect(why([1])).toBe('not a JSON object');
    // Counted before anything is allocated: 2^15 x 2^14 weights is more than 2^28.
    expect(edit((s) => { s.layers[5] = { type: 'linear', in: 392, out: 32768 }; s.layers.push({ type: 'linear', in: 32768, out: 16384 }); }))
      .toBe('layer 6 (linear): brings the model to 549765200 parameters, more than the 268435456 a model may have');
  });

  it('parses a file\'s text: not JSON, or a bad architecture, in one line naming the file', () => {
    expect(parseArchitecture(JSON.stringify(good()), 'net.json').name).toBe('mine');
    expect(() => parseArchitecture('{"name": ', 'net.json')).toThrow(/^net\.json: not JSON \([^\n]+\)$/);
    const bad = good();
    bad.layers[3].type = 'flaten';
    expect(() => parseArchitecture(JSON.stringify(bad), 'net.json')).toThrow(/^net\.json: layer 3 \(flaten\): unknown layer type flaten$/);
  });

  it('the presets are architecture files that pass the same check, fast among them', () => {
    expect(Object.keys(PRESETS)).toEqual(['lenet', 'cnn', 'keras', 'fast', 'bncnn']);
    for (const [name, spec] of Object.entries(PRESETS)) expect(spec.name).toBe(name);
    // tuomaso/train_mnist_fast: conv 24@5x5, pool, relu, conv 32@3x3, pool, relu (32 x 5 x 5 = 800), dense 256, 10.
    expect(layerShapes(PRESETS.fast).map((s) => s.join('x'))).toEqual(['24x24x24', '24x12x12', '24x12x12', '32x10x10', '32x5x5', '32x5x5', '800', '256', '256', '10']);
  });
});

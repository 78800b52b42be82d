// The presets' recipes and the adapter-dependent default: what `train` uses with no flags.
import { describe, expect, it } from 'vitest';
import { recipeFor } from '../../src/train/recipes.js';
import { defaultModel } from '../../src/cli/train_command.js';
import { PRESETS } from '../../src/nn/presets.js';

describe('recipes', () => {
  it('the GPU default is bncnn with the recipe measured on an H100 (bench/RESULTS.md)', () => {
    const d = defaultModel(false);
    expect(d.model).toBe('bncnn');
    expect(Object.hasOwn(PRESETS, d.model)).toBe(true);
    expect(PRESETS[d.model].layers.some((l) => l.type === 'batchnorm2d')).toBe(true);
    const r = recipeFor('bncnn');
    expect(r).toEqual({ epochs: 8, batch: 128, augment: true, optimizer: 'adam', lr: 0.005, schedule: 'onecycle', labelSmoothing: 0.1 });
    expect(d.epochs).toBe(r.epochs);
  });

  it('a CPU adapter defaults to a LeNet that finishes in minutes', () => {
    expect(defaultModel(true)).toEqual({ model: 'lenet', epochs: 3 });
  });

  it('presets without a recipe and architecture files get the plain defaults, no label smoothing', () => {
    for (const name of [undefined, 'keras', 'net-from-a-file']) {
      const r = recipeFor(name);
      expect(r.labelSmoothing).toBe(0);
      expect(r.epochs).toBe(15);
      expect(r.lr).toBeUndefined();
    }
    expect(recipeFor('cnn').augment).toBe(true);
    expect(recipeFor('fast')).toMatchObject({ epochs: 1, batch: 256, beta1: 0.7, beta2: 0.9, labelSmoothing: 0 });
  });

  it('a preset name that is an Object property is not a recipe', () => {
    expect(recipeFor('constructor')).toEqual(recipeFor(undefined));
  });
});

// The built-in models, each an architecture file (src/nn/presets/*.json) in the form `--model
// file.json` takes and model files carry, checked by the same code at load.
import { checkArchitecture } from './architecture.js';
import type { ModelSpec } from './model.js';
import lenet from './presets/lenet.json';
import cnn from './presets/cnn.json';
import keras from './presets/keras.json';
import fast from './presets/fast.json';
import bncnn from './presets/bncnn.json';

const check = (name: string, v: unknown): ModelSpec => {
  try {
    return checkArchitecture(v);
  } catch (e) {
    throw new Error(`preset ${name} (src/nn/presets/${name}.json): ${(e as Error).message}`);
  }
};

/**
 * lenet: LeNet-5 as in the benchmarks (conv 6@5x5 same, pool, conv 16@5x5, pool, dense 120, 84, 10).
 * cnn: the default on a GPU, two blocks of two 3x3 convs, dropout before the classifier; >= 99.5% with augmentation.
 * keras: the Keras MNIST example CNN (benchmarks).
 * fast: after tuomaso/train_mnist_fast (conv 24@5x5, pool, relu, conv 32@3x3, pool, relu, dense 256): >= 99% in
 *   one epoch. Pooling before the ReLU is the same function for 4x less ReLU work, and gives the convs
 *   Glorot rather than He init (buildLayer picks He for a layer feeding a ReLU): nearer PyTorch's
 *   default scale, 99.03%, 99.03% and 99.13% at seeds 1-3 where conv-relu-pool gave 98.88% (bench/RESULTS.md).
 * bncnn: BatchNorm after each conv and the hidden dense layer (conv 24@5x5, conv 48@3x3, dense 128), 3.1 MFLOP
 *   per image forward; aimed at >= 99.5% with augmentation (bench/RESULTS.md has what was measured).
 */
export const PRESETS: Readonly<Record<string, ModelSpec>> = Object.fromEntries(
  Object.entries({ lenet, cnn, keras, fast, bncnn }).map(([name, v]) => [name, check(name, v)]),
);

// The small pretrained model that ships with the project (data/pretrained/, made by the README's
// train command), found beside the bundled CLI or the sources.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PRETRAINED_FILE = join('data', 'pretrained', 'lenet-mnist.safetensors');

export function pretrainedModelPath(from = dirname(fileURLToPath(import.meta.url))): string | null {
  for (let d = from; ; d = dirname(d)) {
    const p = join(d, PRETRAINED_FILE);
    if (existsSync(p)) return p;
    if (dirname(d) === d) return null;
  }
}

/** --model if given; else the user's model.safetensors in the working directory; else the pretrained one. */
export function modelToUse(given: string | undefined, cwdModel = 'model.safetensors'): { path: string; why: string } {
  if (given !== undefined) return { path: given, why: '--model' };
  if (existsSync(cwdModel)) return { path: cwdModel, why: 'the model train wrote here' };
  const p = pretrainedModelPath();
  if (p) return { path: p, why: 'the pretrained model that ships with webgpu-cnn (no --model given)' };
  return { path: cwdModel, why: 'default' };
}

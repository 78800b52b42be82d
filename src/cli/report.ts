import { PNG } from 'pngjs';
import { writeAtomic } from '../data/mnist.js';
import type { ImageSet } from '../data/idx.js';

/** A PNG grid of the most confident mistakes (each tile 28x28, a red bar shows confidence). */
export function mistakesGrid(file: string, set: ImageSet, preds: Uint32Array, probs: Float32Array, K: number, max: number): number {
  const wrong = [...preds.keys()].filter((i) => preds[i] !== set.labels[i]).sort((a, b) => probs[b * K + preds[b]] - probs[a * K + preds[a]]).slice(0, max);
  const cols = Math.max(1, Math.min(8, wrong.length)), rows = Math.max(1, Math.ceil(wrong.length / cols)), T = 30;
  const png = new PNG({ width: cols * T, height: rows * T });
  png.data.fill(255);
  wrong.forEach((idx, n) => {
    const ox = (n % cols) * T, oy = Math.floor(n / cols) * T;
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const v = 255 - set.images[idx * 784 + y * 28 + x];
        const o = 4 * ((oy + y) * png.width + ox + x);
        png.data[o] = png.data[o + 1] = png.data[o + 2] = v;
      }
    const bar = Math.round(28 * probs[idx * K + preds[idx]]);
    for (let x = 0; x < bar; x++) { const o = 4 * ((oy + 28) * png.width + ox + x); png.data[o] = 220; png.data[o + 1] = png.data[o + 2] = 0; }
  });
  writeAtomic(file, PNG.sync.write(png));
  return wrong.length;
}

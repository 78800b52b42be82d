// Small valid files of each kind a user can hand the engine: the seeds of the parser tests and the fuzz test.
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import type { ModelSpec } from '../../src/nn/model.js';

/** A 28x20 gradient as PNG and JPEG bytes. */
export function sampleImages(): { png: Uint8Array; jpg: Uint8Array } {
  const p = new PNG({ width: 28, height: 20 });
  for (let i = 0; i < p.data.length; i++) p.data[i] = i % 4 === 3 ? 255 : (i * 7) & 255;
  return { png: new Uint8Array(PNG.sync.write(p)), jpg: new Uint8Array(jpeg.encode({ data: p.data, width: 28, height: 20 }, 90).data) };
}

/** A model small enough that most of its file is the header (where the parsing is). */
export const TINY: ModelSpec = {
  name: 'tiny', input: [1, 4, 4], classes: 3,
  layers: [{ type: 'conv2d', in: 1, out: 2, kernel: 3, padding: 1 }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
    { type: 'flatten' }, { type: 'dropout', rate: 0.1 }, { type: 'linear', in: 8, out: 3 }],
};

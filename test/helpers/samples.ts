// Small valid files of each kind a user can hand the engine: the seeds of the parser tests and the fuzz test.
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { crc32 } from 'node:zlib';
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

/** A PNG chunk with its CRC, so a mutated header still reaches the decoder's deeper checks. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

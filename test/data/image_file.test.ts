import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeGrayImage, readGrayImage } from '../../src/data/image_file.js';
import { ImageError } from '../../src/data/preprocess.js';
import { deflateSync } from 'node:zlib';
import { PNG_SIGNATURE, pngChunk, sampleImages } from '../helpers/samples.js';

function error(f: () => unknown): Error {
  try { f(); } catch (e) { return e as Error; }
  throw new Error('no error thrown');
}

describe('image files', () => {
  it('decodes PNG and JPEG to grayscale of the right size', () => {
    const { png, jpg } = sampleImages();
    for (const b of [png, jpg]) expect(decodeGrayImage(b, 'x')).toMatchObject({ width: 28, height: 20 });
  });

  it('says a truncated PNG or JPEG is truncated or corrupt, in one line naming the file', () => {
    const { png, jpg } = sampleImages();
    const p = error(() => decodeGrayImage(png.subarray(0, png.length - 20), 'x.png'));
    expect(p).toBeInstanceOf(ImageError);
    expect(p.message).toBe('x.png: truncated or corrupt PNG (the file ends early)');
    const j = error(() => decodeGrayImage(jpg.subarray(0, jpg.length >> 1), 'x.jpg'));
    expect(j).toBeInstanceOf(ImageError);
    expect(j.message).toMatch(/^x\.jpg: truncated or corrupt JPEG \([^\n]+\)$/);
  });

  it('names a directory, a missing file and an empty file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'img-'));
    mkdirSync(join(dir, 'd.png'));
    writeFileSync(join(dir, 'e.png'), '');
    expect(error(() => readGrayImage(join(dir, 'd.png'))).message).toBe(`${join(dir, 'd.png')}: is a directory, not an image`);
    expect(error(() => readGrayImage(join(dir, 'm.png'))).message).toBe(`${join(dir, 'm.png')}: no such file`);
    expect(error(() => readGrayImage(join(dir, 'e.png'))).message).toBe(`${join(dir, 'e.png')}: empty file`);
  });

  it('stops an interlaced PNG whose pixel data inflates far past its header (a PNG bomb)', () => {
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, 10);
    new DataView(ihdr.buffer).setUint32(4, 10);
    ihdr.set([8, 0, 0, 0, 1], 8); // 8-bit gray, interlaced
    const idat = deflateSync(Buffer.alloc(128 << 20)); // 128 MB of zeros in about 128 KB
    const bomb = Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0))]);
    const before = process.memoryUsage().arrayBuffers;
    const e = error(() => decodeGrayImage(bomb, 'bomb.png'));
    expect(e.message).toBe('bomb.png: truncated or corrupt PNG (its pixel data inflates past the 10x10 size in its header)');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 << 20);
  });
});

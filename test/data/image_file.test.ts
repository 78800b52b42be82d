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
    const idat = deflateSync(Buffer.alloc(64 << 20)); // 64 MB of zeros in about 64 KB
    const bomb = Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0))]);
    const before = process.memoryUsage().arrayBuffers;
    const e = error(() => decodeGrayImage(bomb, 'bomb.png'));
    expect(e.message).toBe('bomb.png: truncated or corrupt PNG (its pixel data inflates past the 10x10 size in its header)');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });

  /** A gray 8-bit PNG of w x h whose pixel data is `raw` bytes of zeros. */
  const grayPng = (w: number, h: number, raw: number) => {
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, w);
    new DataView(ihdr.buffer).setUint32(4, h);
    ihdr[8] = 8;
    return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.alloc(raw))), pngChunk('IEND', new Uint8Array(0))]);
  };

  it('still decodes a valid interlaced PNG (its size is checked pass by pass)', () => {
    const w = 13, h = 9, px = (x: number, y: number) => (x * 17 + y * 29) & 255;
    const rows: number[] = [];
    for (const [x0, y0, dx, dy] of [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]]) {
      for (let y = y0; y < h; y += dy) {
        if (x0 >= w) continue;
        rows.push(0); // filter: none
        for (let x = x0; x < w; x += dx) rows.push(px(x, y));
      }
    }
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, w);
    new DataView(ihdr.buffer).setUint32(4, h);
    ihdr.set([8, 0, 0, 0, 1], 8);
    const png = Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Uint8Array.from(rows))), pngChunk('IEND', new Uint8Array(0))]);
    const g = decodeGrayImage(png, 'i.png');
    expect([g.width, g.height, g.data[5 * w + 7], g.data[8 * w + 12]]).toEqual([w, h, px(7, 5), px(12, 8)]);
  });

  it('refuses a PNG or JPEG whose header declares more pixels than the file can hold, before decoding', () => {
    expect(decodeGrayImage(grayPng(100, 50, 101 * 50), 'ok.png')).toMatchObject({ width: 100, height: 50 });
    const t0 = performance.now();
    const big = grayPng(6000, 6000, 1000);
    expect(error(() => decodeGrayImage(big, 'big.png')).message).toBe(`big.png: truncated or corrupt PNG (${big.length - 57} bytes of pixel data cannot hold 6000x6000 pixels)`);
    // pngjs padded this with zeros and returned an image:
    expect(error(() => decodeGrayImage(grayPng(100, 50, 2000), 'short.png')).message).toBe('short.png: truncated or corrupt PNG (pixel data ends early: 2000 of 5050 bytes)');
    const { jpg } = sampleImages();
    const sof = jpg.findIndex((b, i) => b === 0xff && jpg[i + 1] === 0xc0);
    const claim = jpg.slice();
    new DataView(claim.buffer).setUint16(sof + 5, 6000);
    new DataView(claim.buffer).setUint16(sof + 7, 6000);
    expect(error(() => decodeGrayImage(claim, 'big.jpg')).message).toBe(`big.jpg: truncated or corrupt JPEG (${jpg.length} bytes cannot hold 6000x6000 pixels)`);
    expect(performance.now() - t0).toBeLessThan(500); // decoding these took 2 to 7 s each
  });
});

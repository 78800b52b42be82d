import { readFileSync, statSync } from 'node:fs';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { ImageError, type Gray } from './preprocess.js';

export const MAX_FILE_BYTES = 32 * 1024 * 1024;
export const MAX_PIXELS = 40_000_000;

/** Decodes a PNG or JPEG file to 8-bit grayscale (alpha composited onto white). */
export function readGrayImage(file: string): Gray {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new ImageError(`${file}: no such file`);
  }
  if (size === 0) throw new ImageError(`${file}: empty file`);
  if (size > MAX_FILE_BYTES) throw new ImageError(`${file}: ${size} bytes is too large (limit ${MAX_FILE_BYTES})`);
  const buf = readFileSync(file);
  const isPng = buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const isJpeg = buf[0] === 0xff && buf[1] === 0xd8;
  if (!isPng && !isJpeg) throw new ImageError(`${file}: not a PNG or JPEG image`);
  if (isPng && buf.length >= 24) {
    const w = buf.readUInt32BE(16), h = buf.readUInt32BE(20);
    if (w * h > MAX_PIXELS) throw new ImageError(`${file}: ${w}x${h} pixels is too large (limit ${MAX_PIXELS} pixels)`);
  }
  let rgba: { width: number; height: number; data: Uint8Array };
  try {
    rgba = isPng ? PNG.sync.read(buf) : jpeg.decode(buf, { useTArray: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
  } catch (e) {
    throw new ImageError(`${file}: cannot decode ${isPng ? 'PNG' : 'JPEG'} (${(e as Error).message.split('\n')[0]})`);
  }
  const { width, height } = rgba;
  if (!width || !height) throw new ImageError(`${file}: image has no pixels`);
  const data = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b, a] = [rgba.data[4 * i], rgba.data[4 * i + 1], rgba.data[4 * i + 2], rgba.data[4 * i + 3]];
    const lum = 0.299 * r + 0.587 * g + 0.114 * b;
    data[i] = Math.round((lum * a + 255 * (255 - a)) / 255);
  }
  return { width, height, data };
}

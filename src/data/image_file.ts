import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { ImageError, type Gray } from './preprocess.js';
import { checkJpeg, checkPng } from './image_limits.js';
import { readUserFile } from '../util/read_file.js';
import { oneLine } from '../util/text.js';

export const MAX_FILE_BYTES = 32 * 1024 * 1024;
export const MAX_PIXELS = 40_000_000;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Decodes a PNG or JPEG file to 8-bit grayscale (alpha composited onto white). */
export function readGrayImage(file: string): Gray {
  const buf = readUserFile(file, { what: 'image', Err: ImageError, maxBytes: MAX_FILE_BYTES, notFound: 'no such file' });
  return decodeGrayImage(buf, file);
}

/** The decoding half of readGrayImage, on bytes already read (the fuzz test drives it directly). */
export function decodeGrayImage(buf: Uint8Array, file: string): Gray {
  if (buf.length === 0) throw new ImageError(`${file}: empty file`);
  const isPng = PNG_MAGIC.every((b, i) => buf[i] === b);
  const isJpeg = buf[0] === 0xff && buf[1] === 0xd8;
  if (!isPng && !isJpeg) throw new ImageError(`${file}: not a PNG or JPEG image`);
  if (isPng && buf.length >= 24) {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const w = view.getUint32(16), h = view.getUint32(20);
    if (w * h > MAX_PIXELS) throw new ImageError(`${file}: ${w}x${h} pixels is too large (limit ${MAX_PIXELS} pixels)`);
  }
  if (isPng) checkPng(buf, file);
  else checkJpeg(buf, file);
  let rgba: { width: number; height: number; data: Uint8Array };
  try {
    rgba = isPng
      ? PNG.sync.read(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength))
      : jpeg.decode(buf, { useTArray: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
  } catch (e) {
    // pngjs reports a short file as "There are some read requests waitng on finished stream".
    const why = /on finished stream/.test(oneLine(e)) ? 'the file ends early' : oneLine(e);
    throw new ImageError(`${file}: truncated or corrupt ${isPng ? 'PNG' : 'JPEG'} (${why})`);
  }
  const { width, height } = rgba;
  if (!width || !height) throw new ImageError(`${file}: image has no pixels`);
  if (rgba.data.length < 4 * width * height) throw new ImageError(`${file}: truncated or corrupt ${isPng ? 'PNG' : 'JPEG'} (fewer pixels than its ${width}x${height} header)`);
  const data = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b, a] = [rgba.data[4 * i], rgba.data[4 * i + 1], rgba.data[4 * i + 2], rgba.data[4 * i + 3]];
    const lum = 0.299 * r + 0.587 * g + 0.114 * b;
    data[i] = Math.round((lum * a + 255 * (255 - a)) / 255);
  }
  return { width, height, data };
}

/**
 * Size checks run before a PNG or JPEG is handed to its decoder. The decoders allocate what the
 * header declares, so a 74-byte PNG or a 1 KB JPEG claiming 6000x6000 pixels cost seconds and up
 * to a gigabyte before failing (or, for pngjs, was accepted, padded with zeros). Here a header is
 * refused when the file cannot hold the pixels it declares, and a PNG's pixel data must inflate
 * to exactly the size its header implies.
 */
import { constants, inflateSync } from 'node:zlib';
import { ImageError } from './preprocess.js';

/** Deflate's best case: 258 bytes from 2 bits. */
const MAX_RATIO = 1032;
/** Channels per PNG colour type (0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: x0, y0, dx, dy. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

/** Bytes of filtered scanlines a PNG's IDAT data must inflate to: one filter byte per row of each pass. */
function pngDataSize(w: number, h: number, bitsPerPixel: number, interlaced: boolean): number {
  const rows = (pw: number, ph: number) => (pw && ph ? ph * (Math.ceil((pw * bitsPerPixel) / 8) + 1) : 0);
  if (!interlaced) return rows(w, h);
  return ADAM7.reduce((s, [x0, y0, dx, dy]) => s + rows(Math.max(0, Math.ceil((w - x0) / dx)), Math.max(0, Math.ceil((h - y0) / dy))), 0);
}

export function checkPng(buf: Uint8Array, file: string): void {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // Only a well-formed IHDR is checked here; anything else is pngjs's to report.
  if (buf.length < 33 || String.fromCharCode(...buf.subarray(12, 16)) !== 'IHDR') return;
  const w = view.getUint32(16), h = view.getUint32(20), depth = buf[24], channels = CHANNELS[buf[25]];
  if (!w || !h || !channels || ![1, 2, 4, 8, 16].includes(depth) || buf[28] > 1) return;
  const size = pngDataSize(w, h, channels * depth, buf[28] === 1);
  const corrupt = (why: string) => new ImageError(`${file}: truncated or corrupt PNG (${why})`);
  const idat: Uint8Array[] = [];
  for (let at = 8; ; at += 12 + view.getUint32(at)) {
    if (at + 12 > buf.length || at + 12 + view.getUint32(at) > buf.length) throw corrupt('the file ends early');
    const type = String.fromCharCode(...buf.subarray(at + 4, at + 8));
    if (type === 'IEND') break;
    if (type === 'IDAT') idat.push(buf.subarray(at + 8, at + 8 + view.getUint32(at)));
  }
  const data = Buffer.concat(idat);
  if (size > MAX_RATIO * data.length + 64) throw corrupt(`${data.length} bytes of pixel data cannot hold ${w}x${h} pixels`);
  let out: Buffer;
  try {
    // Bounded by the header: pngjs does not bound an interlaced image's inflation (a 300 KB file took 300 MB).
    out = inflateSync(data, { maxOutputLength: size, finishFlush: constants.Z_SYNC_FLUSH });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw corrupt(`its pixel data inflates past the ${w}x${h} size in its header`);
    return; // not valid zlib data: pngjs says so
  }
  if (out.length < size) throw corrupt(`pixel data ends early: ${out.length} of ${size} bytes`);
}

/**
 * Huffman-coded JPEG (all jpeg-js decodes) spends at least one bit on each 8x8 block's DC value,
 * so a file of n bytes holds at most 8n blocks.
 */
export function checkJpeg(buf: Uint8Array, file: string): void {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let at = 2; at + 9 <= buf.length && buf[at] === 0xff;) {
    const m = buf[at + 1];
    if (m === 0xff) { at++; continue; } // fill byte
    if (m === 0xc0 || m === 0xc1 || m === 0xc2) {
      const h = view.getUint16(at + 5), w = view.getUint16(at + 7);
      if (Math.ceil(w / 8) * Math.ceil(h / 8) > 8 * buf.length) {
        throw new ImageError(`${file}: truncated or corrupt JPEG (${buf.length} bytes cannot hold ${w}x${h} pixels)`);
      }
      return;
    }
    if (m === 0xda || m === 0xd9) return; // image data or end: no frame header before it, jpeg-js reports that
    at += 2 + view.getUint16(at + 2);
  }
}

/**
 * IDX files (the MNIST format): big-endian magic 0x0000 <type> <ndims>, ndims u32 sizes, data.
 * Every failure is a one-line error that names the file and the problem.
 */
export interface Idx {
  dims: number[];
  data: Uint8Array;
}

export class DataError extends Error {}

/** Largest data section accepted (MNIST's largest file holds 47 MB): a header alone never makes us hold more. */
export const MAX_IDX_BYTES = 1 << 30;

export interface IdxHeader {
  dims: number[];
  /** Header bytes; the data follows. */
  offset: number;
  /** Header plus data: the file's whole size as its header declares it. */
  size: number;
}

/**
 * Checks the header at the start of `bytes`, as soon as those bytes are there (a gzip file is
 * checked while it inflates); undefined while too few bytes have arrived to decide.
 */
export function readIdxHeader(bytes: Uint8Array, file: string): IdxHeader | undefined {
  const fail = (why: string): never => { throw new DataError(`${file}: ${why}`); };
  if (bytes.length >= 2 && (bytes[0] !== 0 || bytes[1] !== 0)) fail('not an IDX file (bad magic number; is it still gzip-compressed or a different format?)');
  if (bytes.length >= 3 && bytes[2] !== 0x08) fail(`unsupported IDX type code 0x${bytes[2].toString(16)} (only unsigned bytes, 0x08, are used by MNIST)`);
  if (bytes.length < 4) return undefined;
  const nd = bytes[3];
  if (nd < 1 || nd > 4) fail(`unsupported number of dimensions ${nd}`);
  const offset = 4 + 4 * nd;
  if (bytes.length < offset) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: nd }, (_, i) => view.getUint32(4 + 4 * i, false));
  if (dims.some((d) => d === 0)) fail(`empty dimension in [${dims.join(', ')}]`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > MAX_IDX_BYTES) fail(`header declares [${dims.join(' x ')}] = ${count} bytes of data, more than the limit of ${MAX_IDX_BYTES}`);
  return { dims, offset, size: offset + count };
}

export function parseIdx(bytes: Uint8Array, file: string): Idx {
  if (bytes.length < 4) throw new DataError(`${file}: too short for an IDX header (${bytes.length} bytes)`);
  const h = readIdxHeader(bytes, file);
  if (!h) throw new DataError(`${file}: truncated header: ${bytes.length} bytes, the ${bytes[3]} dimension sizes need ${4 + 4 * bytes[3]}`);
  const have = bytes.length - h.offset, count = h.size - h.offset;
  if (have !== count) throw new DataError(`${file}: header declares [${h.dims.join(' x ')}] = ${count} bytes of data but the file holds ${have}`);
  return { dims: h.dims, data: bytes.subarray(h.offset) };
}

export interface ImageSet {
  count: number;
  rows: number;
  cols: number;
  /** count*rows*cols bytes, 0 = background, 255 = ink. */
  images: Uint8Array;
  labels: Uint8Array;
  classes: number;
}

/** Pairs an image file with its label file, checking shapes, counts and label range. */
export function toImageSet(images: Idx, labels: Idx, imageFile: string, labelFile: string, classes = 10): ImageSet {
  if (images.dims.length !== 3) throw new DataError(`${imageFile}: expected 3 dimensions (count x rows x cols), got ${images.dims.length}`);
  if (labels.dims.length !== 1) throw new DataError(`${labelFile}: expected 1 dimension (count), got ${labels.dims.length}`);
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) throw new DataError(`${labelFile}: ${labels.dims[0]} labels for ${count} images in ${imageFile}`);
  const bad = labels.data.findIndex((l) => l >= classes);
  if (bad >= 0) throw new DataError(`${labelFile}: label ${labels.data[bad]} at index ${bad} is outside 0..${classes - 1}`);
  return { count, rows, cols, images: images.data, labels: labels.data, classes };
}

/** A prefix of a data set (for short runs); copies nothing. */
export function take(set: ImageSet, n: number): ImageSet {
  const k = Math.min(n, set.count);
  const px = set.rows * set.cols;
  return { ...set, count: k, images: set.images.subarray(0, k * px), labels: set.labels.subarray(0, k) };
}

/** Unsigned-byte IDX bytes for `dims` (the inverse of parseIdx; the headless server re-serves a loaded set). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

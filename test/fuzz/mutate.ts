// Seeded mutations of valid files: generic byte damage, plus format-aware edits that keep the
// outer layer valid (gzip, PNG CRCs, the safetensors header length) so the damage reaches the
// inner parsers, and that aim at sizes and lengths (the values that decide how much is allocated).
import { gzipSync } from 'node:zlib';
import { pngChunk } from '../helpers/samples.js';

export type Rand = () => number;
export type Mutation = (b: Uint8Array, r: Rand) => Uint8Array;

export const int = (r: Rand, n: number) => Math.floor(r() * n);
const choose = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

/** Sizes worth trying: edges, off-by-ones, powers of two and the largest of each width. */
const SIZES = [0, 1, 2, 3, 255, 256, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
export const bigValue = (r: Rand, near = 0) => (r() < 0.3 ? Math.max(0, near + int(r, 9) - 4) : r() < 0.6 ? choose(r, SIZES) : int(r, 2 ** 32)) >>> 0;

/** Damage that knows nothing of the format. */
export const GENERIC: Mutation[] = [
  (b, r) => { const o = b.slice(); for (let k = 1 + int(r, 8); k > 0; k--) { const i = int(r, o.length); o[i] ^= 1 << int(r, 8); } return o; },
  (b, r) => { const o = b.slice(); for (let k = 1 + int(r, 4); k > 0; k--) o[int(r, o.length)] = int(r, 256); return o; },
  (b, r) => b.slice(0, int(r, b.length)),
  (b, r) => concat(b, Uint8Array.from({ length: 1 + int(r, 64) }, () => int(r, 256))),
  (b, r) => { const i = int(r, b.length), n = 1 + int(r, 32); return concat(b.subarray(0, i), b.subarray(i + n)); },
  (b, r) => { const i = int(r, b.length), n = 1 + int(r, 64); return concat(b.subarray(0, i + n), b.subarray(i)); },
  (b, r) => { if (b.length < 4) return b; const o = b.slice(); new DataView(o.buffer).setUint32(int(r, o.length - 3), bigValue(r), r() < 0.5); return o; },
];

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** IDX: the type, the rank and each dimension, the values that size the data. */
export const IDX: Mutation[] = [
  (b, r) => { const o = b.slice(); const d = int(r, o[3] || 1); new DataView(o.buffer).setUint32(4 + 4 * d, bigValue(r, new DataView(o.buffer).getUint32(4 + 4 * d)), false); return o; },
  (b, r) => { const o = b.slice(); o[3] = choose(r, [0, 1, 2, 3, 4, 5, 255]); return o; },
  (b, r) => { const o = b.slice(); o[2] = choose(r, [0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0]); return o; },
];

/** Gzip of an IDX mutation (valid gzip, damaged IDX), or a valid IDX header over up to 4 MB of extra zeros (a small bomb). */
export const GZ_OF = (raw: Uint8Array): Mutation[] => [
  (_b, r) => new Uint8Array(gzipSync(choose(r, [...IDX, ...GENERIC])(raw, r))),
  (_b, r) => new Uint8Array(gzipSync(concat(raw, new Uint8Array(int(r, 4 << 20))))),
  (_b, r) => new Uint8Array(gzipSync(choose(r, IDX)(raw, r), { level: int(r, 10) })),
];

/** PNG: rewrite IHDR fields or any chunk's bytes, and fix the CRC so pngjs gets past its check. */
export const PNG_MUT: Mutation[] = [
  (b, r) => editChunk(b, 'IHDR', r, (d) => { const v = new DataView(d.buffer); v.setUint32(int(r, 2) * 4, bigValue(r, v.getUint32(0))); }),
  (b, r) => editChunk(b, 'IHDR', r, (d) => { d[8 + int(r, 5)] = choose(r, [0, 1, 2, 3, 4, 6, 7, 8, 16, 255]); }),
  (b, r) => editChunk(b, 'IDAT', r, (d) => { for (let k = 1 + int(r, 4); k > 0; k--) d[int(r, d.length)] ^= 1 << int(r, 8); }),
  (b, r) => { const at = chunkAt(b, choose(r, ['IHDR', 'IDAT', 'IEND'])); if (at < 0) return b; const o = b.slice(); new DataView(o.buffer).setUint32(at, bigValue(r)); return o; },
];

function chunkAt(b: Uint8Array, type: string): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = 8; at + 8 <= b.length; at += 12 + v.getUint32(at)) if (String.fromCharCode(...b.subarray(at + 4, at + 8)) === type) return at;
  return -1;
}

function editChunk(b: Uint8Array, type: string, _r: Rand, edit: (data: Uint8Array) => void): Uint8Array {
  const at = chunkAt(b, type);
  if (at < 0) return b;
  const len = new DataView(b.buffer, b.byteOffset).getUint32(at);
  const data = b.slice(at + 8, at + 8 + len);
  if (!data.length) return b;
  edit(data);
  return concat(b.subarray(0, at), pngChunk(type, data), b.subarray(at + 12 + len));
}

/** JPEG: the frame header's height and width (SOF0), and any segment's length. */
export const JPEG_MUT: Mutation[] = [
  (b, r) => { const at = marker(b, 0xc0); if (at < 0) return b; const o = b.slice(); new DataView(o.buffer).setUint16(at + 5 + 2 * int(r, 2), bigValue(r) & 0xffff); return o; },
  (b, r) => { const at = marker(b, choose(r, [0xc0, 0xc4, 0xdb, 0xda, 0xe0])); if (at < 0) return b; const o = b.slice(); new DataView(o.buffer).setUint16(at + 2, bigValue(r) & 0xffff); return o; },
  (b, r) => { const at = marker(b, 0xc0); if (at < 0) return b; const o = b.slice(); o[at + 9] = choose(r, [0, 1, 2, 3, 4, 255]); return o; },
];

function marker(b: Uint8Array, m: number): number {
  for (let i = 2; i + 3 < b.length; i++) if (b[i] === 0xff && b[i + 1] === m) return i;
  return -1;
}

/** Safetensors: the 8-byte header length, and edits of the JSON header (numbers, strings, metadata). */
export const SAFETENSORS_MUT: Mutation[] = [
  (b, r) => structured(b, r),
  (b, r) => structured(b, r),
  (b, r) => structured(b, r),
  (b, r) => { const o = b.slice(); const v = new DataView(o.buffer); const len = Number(v.getBigUint64(0, true));
    v.setBigUint64(0, r() < 0.3 ? BigInt(bigValue(r, len)) : r() < 0.5 ? BigInt(o.length - 8 + int(r, 16) - 8) : (1n << BigInt(int(r, 64))) + BigInt(int(r, 1000)), true); return o; },
  (b, r) => editHeader(b, (h) => h.replace(/-?\d+(\.\d+)?/g, (m) => (r() < 0.15 ? choose(r, ['-1', '0', '1e400', '4294967296', '1.5', '9007199254740993', String(int(r, 1e6)), '"7"', 'null']) : m))),
  (b, r) => editHeader(b, (h) => { const i = int(r, h.length); return h.slice(0, i) + choose(r, ['"', '{', '}', '[', ']', ',', ':', '\\', 'null', '\n', 'x', '']) + h.slice(i + int(r, 3)); }),
  (b, r) => editHeader(b, (h) => h.replace(/"(F32|relu|conv2d|linear|maxpool2d|flatten|dropout|adam|checkpoint|model)"/g, (m) => (r() < 0.3 ? choose(r, ['"F16"', '"gelu"', '"__proto__"', '"constructor"', '""', '"a\\nb"', '7', 'null', '[]', '{}']) : m))),
  (b, r) => editHeader(b, (h) => h.replace(/(\\?")(epoch|step|lr|type|in|out|kernel|rate|input|classes|layers|architecture|optimizer|format|kind)(\\?":)/g,
    (m, a, _k, c) => (r() < 0.3 ? `${a}${choose(r, ['x', '__proto__', 'constructor'])}${c}` : m))),
];

/** Values a field of a model file's JSON might be replaced by. */
const ODD = [-1, 0, 1, 1.5, 3, 1e308, 4294967296, 2 ** 53 + 2, '7', 'abc', '', '-1', '1.5', 'a\nb', null, true, [], {}, [1, 2, 3], [0, 0, 0], '__proto__', 'gelu'];

/**
 * Parses the header (and the JSON strings inside its metadata), replaces or deletes one value
 * anywhere in it, and writes it back: damage that passes the JSON parser and reaches the checks.
 */
export const structured: Mutation = (b, r) => editHeader(b, (h) => {
  let o: Record<string, any>;
  try { o = JSON.parse(h); } catch { return h; }
  const md = o.__metadata__ ?? {};
  const nested = ['architecture', 'optimizer', 'config'].filter((k) => typeof md[k] === 'string');
  for (const k of nested) md[k] = JSON.parse(md[k]);
  const slots: Array<[Record<string, any>, string]> = [];
  const walk = (v: unknown) => {
    if (typeof v !== 'object' || v === null) return;
    for (const k of Object.keys(v)) { slots.push([v as Record<string, any>, k]); walk((v as Record<string, any>)[k]); }
  };
  walk(r() < 0.5 ? md : o); // half the time in the metadata, which the tensors' entries would outnumber
  if (!slots.length) return h;
  const [parent, key] = slots[int(r, slots.length)];
  if (r() < 0.15) delete parent[key];
  else parent[key] = structuredClone(choose(r, ODD));
  // Metadata values are strings; mostly keep them so, sometimes not.
  for (const k of nested) if (typeof md[k] === 'object' && md[k] !== null && r() < 0.9) md[k] = JSON.stringify(md[k]);
  return JSON.stringify(o);
});

/** Rewrites the JSON header through `edit`, keeping the header length field consistent with it. */
function editHeader(b: Uint8Array, edit: (h: string) => string): Uint8Array {
  const len = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  if (8 + len > b.length) return b;
  const head = new TextEncoder().encode(edit(new TextDecoder().decode(b.subarray(8, 8 + len))));
  const out = concat(new Uint8Array(8), head, b.subarray(8 + len));
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  return out;
}

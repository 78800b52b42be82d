import { printable, quoted } from '../util/text.js';

/**
 * The safetensors layout: u64 little-endian header length, a JSON header mapping tensor names to
 * {dtype, shape, data_offsets} (plus "__metadata__" of strings), then the raw little-endian data.
 */
export interface NamedTensor { shape: number[]; data: Float32Array }

export class FormatError extends Error {}

export function encodeSafetensors(tensors: Record<string, NamedTensor>, metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`safetensors: ${name} has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8); // data starts 8-byte aligned
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, file: string): { tensors: Record<string, NamedTensor>; metadata: Record<string, string> } {
  const fail = (why: string): never => { throw new FormatError(`${file}: ${why}`); };
  if (bytes.length < 8) fail('too short to be a model file (no safetensors header)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const big = view.getBigUint64(0, true); // compared as a BigInt: a huge length must not round into range
  if (big < 2n || big > BigInt(bytes.length - 8)) fail(`not a safetensors model file (header length ${big} for a ${bytes.length}-byte file)`);
  const len = Number(big);
  let header: Record<string, unknown> = {};
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + len)));
  } catch {
    fail('corrupt header (not valid JSON)');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('corrupt header (not a JSON object)');
  const dataLen = bytes.length - 8 - len;
  const entries: Array<{ key: string; name: string; shape: number[]; off: number[] }> = [];
  for (const [key, v] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    const name = printable(key);
    if (typeof v !== 'object' || v === null) fail(`tensor ${name}: entry is not a JSON object`);
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32') fail(`tensor ${name}: dtype ${quoted(e.dtype)} is not supported (F32 only)`);
    const shape = e.shape as number[], off = e.data_offsets as number[];
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`tensor ${name}: bad shape`);
    if (!Array.isArray(off) || off.length !== 2 || !(Number.isSafeInteger(off[0]) && off[0] >= 0 && off[1] <= dataLen && off[1] - off[0] === 4 * shape.reduce((a, b) => a * b, 1)))
      fail(`tensor ${name}: data offsets ${quoted(off)} do not match its shape or the file size (truncated file?)`);
    entries.push({ key, name, shape, off });
  }
  // Checked before copying anything: overlapping tensors would let a small file claim many times its size.
  const byStart = [...entries].sort((a, b) => a.off[0] - b.off[0]);
  for (let i = 1; i < byStart.length; i++) if (byStart[i].off[0] < byStart[i - 1].off[1]) fail(`tensor ${byStart[i].name} overlaps tensor ${byStart[i - 1].name}`);
  const tensors: Record<string, NamedTensor> = Object.create(null); // a tensor named __proto__ stays a tensor
  for (const { key, shape, off } of entries) {
    const start = bytes.byteOffset + 8 + len + off[0];
    const data = start % 4 === 0 ? new Float32Array(bytes.buffer.slice(start, start + off[1] - off[0])) : new Float32Array(bytes.slice(8 + len + off[0], 8 + len + off[1]).buffer);
    tensors[key] = { shape, data };
  }
  const md = header.__metadata__ ?? {};
  if (typeof md !== 'object' || Array.isArray(md) || !Object.values(md).every((x) => typeof x === 'string')) fail('corrupt header (__metadata__ is not a map of strings)');
  return { tensors, metadata: md as Record<string, string> };
}

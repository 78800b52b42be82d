// Argument checks shared by every family: ops throw on anything they do not support.
import type { Tensor } from '../gpu/buffers.js';

export type Shape = readonly number[];

export function expectShape(what: string, t: Tensor, shape: Shape, dtype: 'f32' | 'u32' = 'f32'): void {
  const ok = t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
  if (!ok) throw new Error(`${what}: expected shape [${shape.join(', ')}], got [${t.shape.join(', ')}]`);
  if (t.dtype !== dtype) throw new Error(`${what}: expected ${dtype}, got ${t.dtype}`);
}

export function expectRank(what: string, t: Tensor, rank: number): void {
  if (t.shape.length !== rank) throw new Error(`${what}: expected a ${rank}-D tensor, got [${t.shape.join(', ')}]`);
  if (t.dtype !== 'f32') throw new Error(`${what}: expected f32, got ${t.dtype}`);
}

export function positiveInt(what: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new Error(`${what} must be an integer >= ${min}, got ${v}`);
  return v;
}

export type Pair = number | readonly [number, number];
export const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

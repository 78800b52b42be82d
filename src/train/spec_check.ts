import type { ModelSpec } from '../nn/model.js';
import { quoted } from '../util/text.js';

type Field = 'int>=1' | 'int>=1?' | 'int>=0?' | 'rate' | 'momentum?' | 'eps?';
const POOL: Record<string, Field> = { kernel: 'int>=1', stride: 'int>=1?', padding: 'int>=0?' };
const NORM: Record<string, Field> = { channels: 'int>=1?', momentum: 'momentum?', eps: 'eps?' };
/** Every layer type the engine builds, and the fields each must carry. */
const LAYERS: Record<string, Record<string, Field>> = {
  conv2d: { in: 'int>=1', out: 'int>=1', kernel: 'int>=1', stride: 'int>=1?', padding: 'int>=0?' },
  linear: { in: 'int>=1', out: 'int>=1' },
  maxpool2d: POOL,
  avgpool2d: POOL,
  relu: {},
  flatten: {},
  dropout: { rate: 'rate' },
  batchnorm2d: NORM,
  batchnorm1d: NORM,
  globalavgpool2d: {},
};

const isInt = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;
const ok: Record<Field, (v: unknown) => boolean> = {
  'int>=1': (v) => isInt(v, 1),
  'int>=1?': (v) => v === undefined || isInt(v, 1),
  'int>=0?': (v) => v === undefined || isInt(v, 0),
  rate: (v) => typeof v === 'number' && v >= 0 && v < 1,
  'momentum?': (v) => v === undefined || (typeof v === 'number' && v >= 0 && v <= 1),
  'eps?': (v) => v === undefined || (typeof v === 'number' && v > 0 && Number.isFinite(v)),
};
const want: Record<Field, string> = { 'int>=1': 'a positive integer', 'int>=1?': 'a positive integer', 'int>=0?': 'a non-negative integer', rate: 'a number in [0, 1)',
  'momentum?': 'a number in [0, 1]', 'eps?': 'a positive number' };

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks that an architecture read from a file is one the engine can build, before anything is
 * built from it: a missing field or an unknown layer type otherwise surfaces deep inside as a
 * TypeError or an "unknown layer type" error that names no file. Throws a plain Error with the reason.
 */
export function checkSpec(s: unknown): asserts s is ModelSpec {
  if (!isObject(s)) throw new Error('not a JSON object');
  if (typeof s.name !== 'string' || !/^[\x20-\x7e]{1,64}$/.test(s.name)) throw new Error(`name ${quoted(s.name)} is not a short printable string`);
  if (!Array.isArray(s.input) || s.input.length !== 3 || !s.input.every((d) => isInt(d, 1))) throw new Error(`input ${quoted(s.input)} is not 3 positive integers [C, H, W]`);
  if (!isInt(s.classes, 1)) throw new Error(`classes ${quoted(s.classes)} is not a positive integer`);
  if (!Array.isArray(s.layers) || !s.layers.length) throw new Error('layers is not a non-empty array');
  s.layers.forEach((l: unknown, i) => {
    if (!isObject(l)) throw new Error(`layer ${i}: not a JSON object`);
    if (typeof l.type !== 'string' || !Object.hasOwn(LAYERS, l.type)) throw new Error(`layer ${i}: unknown type ${quoted(l.type)} (known: ${Object.keys(LAYERS).join(', ')})`);
    for (const [k, f] of Object.entries(LAYERS[l.type])) {
      if (!ok[f](l[k])) throw new Error(`layer ${i} (${l.type}): ${l[k] === undefined ? `${k} is missing` : `${k} ${quoted(l[k])} is not ${want[f]}`}`);
    }
  });
}

// --model for train, profile, bench and kernels: a preset's name, or an architecture file (JSON
// in the form of a model file's `architecture` metadata: name, input, classes, layers).
import { PRESETS } from '../nn/presets.js';
import { parseArchitecture } from '../nn/architecture.js';
import type { ModelSpec } from '../nn/model.js';
import { FileError, readUserFile } from '../util/read_file.js';
import { UsageError } from './args.js';

/** `preset` is set when the value named one (its training recipe then applies). */
export interface ModelChoice { spec: ModelSpec; preset?: string }

const isPath = (v: string) => /\.json$/i.test(v) || /[/\\]/.test(v);

export function modelArg(value: string): ModelChoice {
  if (Object.hasOwn(PRESETS, value)) return { spec: PRESETS[value], preset: value };
  if (!isPath(value)) throw new UsageError(`unknown model '${value}' (presets: ${Object.keys(PRESETS).join(', ')}; or an architecture file, name.json)`);
  const bytes = readUserFile(value, { what: 'architecture file', maxBytes: 1 << 20 });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FileError(`${value}: not JSON (not UTF-8 text)`);
  }
  try {
    return { spec: parseArchitecture(text, value) };
  } catch (e) {
    throw new FileError((e as Error).message);
  }
}

/** Whether two architectures are the same network (key order aside). */
export function sameArchitecture(a: ModelSpec, b: ModelSpec): boolean {
  const canon = (v: unknown): unknown => (Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)).map(([k, x]) => [k, canon(x)])) : v);
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

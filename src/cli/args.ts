/** Minimal `--flag value` / `--flag` parser that rejects anything it was not told about. */
export interface FlagSpec { [name: string]: 'string' | 'number' | 'boolean' }

export type Flags = Record<string, string | number | boolean>;

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: FlagSpec): { flags: Flags; positional: string[] } {
  const flags: Flags = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) { positional.push(a); continue; }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name} (options: ${Object.keys(spec).map((k) => `--${k}`).join(' ')})`);
    if (kind === 'boolean') { flags[name] = inline === undefined ? true : inline !== 'false'; continue; }
    const v = inline ?? argv[++i];
    // An empty value (`--lr=`, `--out ''`) is a mistake, not 0 or the current directory: Number('') is 0.
    if (v === undefined || v.trim() === '' || (inline === undefined && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (kind === 'number') {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${v}'`);
      flags[name] = n;
    } else if (name in flags && typeof flags[name] === 'string') flags[name] = `${flags[name]}\n${v}`;
    else flags[name] = v;
  }
  return { flags, positional };
}

/** An integer flag >= min (default d when absent); one usage line naming the flag otherwise. */
export function intFlag(f: Flags, name: string, d: number, min: number): number {
  if (f[name] === undefined) return d;
  const n = Number(f[name]);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be ${min === 1 ? 'a positive integer' : `an integer >= ${min}`}, got ${f[name]}`);
  return n;
}

/** A number flag in [lo, hi) or (lo, hi) when `open`; absent: d. */
export function numFlag(f: Flags, name: string, d: number, lo: number, hi = Infinity, open = false): number {
  if (f[name] === undefined) return d;
  const n = Number(f[name]);
  if (!(open ? n > lo : n >= lo) || !(n < hi)) {
    const range = hi === Infinity ? `${open ? '>' : '>='} ${lo}` : `in ${open ? '(' : '['}${lo}, ${hi})`;
    throw new UsageError(`--${name} must be ${range}, got ${f[name]}`);
  }
  return n;
}

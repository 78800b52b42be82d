import { readFileSync, statSync } from 'node:fs';
import { oneLine } from './text.js';

/** A file the user named cannot be read; the message is one line naming the file. */
export class FileError extends Error {}

/** Larger than any model, checkpoint or data file this project reads or writes. */
export const MAX_USER_FILE = 1 << 30;

export interface ReadOptions {
  /** What the file is meant to be, for the message ("model file", "image"). */
  what: string;
  maxBytes?: number;
  /** The error class to throw, so callers keep their own (DataError, ImageError...). */
  Err?: new (message: string) => Error;
  /** Replaces "<what> not found" where a caller already promised other wording. */
  notFound?: string;
}

/**
 * Reads a file the user named, turning each way it can fail (missing, a directory, too large,
 * unreadable) into one line naming it instead of Node's raw ENOENT / EISDIR / EACCES.
 */
export function readUserFile(path: string, o: ReadOptions): Uint8Array {
  const Err = o.Err ?? FileError, max = o.maxBytes ?? MAX_USER_FILE;
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new Err(`${path}: is a directory, not ${/^[aeiou]/.test(o.what) ? 'an' : 'a'} ${o.what}`);
    size = st.size;
  } catch (e) {
    if (e instanceof Err) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new Err(`${path}: ${o.notFound ?? `${o.what} not found`}`);
    throw new Err(`${path}: cannot read ${o.what} (${why(e)})`);
  }
  if (size > max) throw new Err(`${path}: ${size} bytes is too large for a ${o.what} (limit ${max})`);
  try {
    return readFileSync(path); // a Buffer is a Uint8Array: no copy
  } catch (e) {
    throw new Err(`${path}: cannot read ${o.what} (${why(e)})`);
  }
}

function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code ?? oneLine(e);
}

// Output paths are checked before any work starts, so a typo in --out fails in a second,
// not after an epoch of training; and temporary files a crashed run left behind are removed.
import { accessSync, constants, existsSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './args.js';

/** Throws one line naming `path` when it cannot be written by writeAtomic (temp file + rename). */
export function checkOutput(path: string): void {
  const dir = dirname(resolve(path));
  const fail = (why: string): never => { throw new Error(`${path}: ${why}`); };
  if (!existsSync(dir)) fail(`directory ${dirname(path)} does not exist`);
  if (!statSync(dir).isDirectory()) fail(`${dirname(path)} is not a directory`);
  if (existsSync(path) && statSync(path).isDirectory()) fail('is a directory, not a file');
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    fail(`directory ${dirname(path)} is not writable`);
  }
}

/** Each path once, checked; two flags naming the same file would overwrite each other. */
export function checkOutputs(paths: Array<[flag: string, path: string]>): void {
  const seen = new Map<string, string>();
  for (const [flag, p] of paths) {
    checkOutput(p);
    const other = seen.get(resolve(p));
    if (other) throw new UsageError(`${p}: named by both ${other} and ${flag}; they must be different files`);
    seen.set(resolve(p), flag);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
};

/** Removes `<output>.tmp-<pid>` files whose writer is gone (a crash mid-write); returns what it removed. */
export function cleanStaleTemps(outputs: string[]): string[] {
  const removed: string[] = [];
  for (const out of outputs) {
    const dir = dirname(out), prefix = `${basename(out)}.tmp-`;
    for (const name of readdirSync(dir)) {
      const pid = name.startsWith(prefix) ? name.slice(prefix.length) : '';
      if (!/^\d+$/.test(pid) || Number(pid) === process.pid || alive(Number(pid))) continue;
      const file = join(dir, name);
      if (!statSync(file).isFile()) continue;
      unlinkSync(file);
      removed.push(file);
    }
  }
  return removed;
}

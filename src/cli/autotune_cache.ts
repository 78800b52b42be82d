// Autotune results in Node: one JSON file under $XDG_CACHE_HOME/webgpu-cnn (else
// ~/.cache/webgpu-cnn), one section per cache key (adapter, engine version, kernel build),
// written through a temporary file and a rename. A corrupt file is set aside, never fatal.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AutotuneStore, CachedChoice } from '../kernels/select.js';

export function autotuneCachePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'webgpu-cnn', 'autotune.json');
}

type File = Record<string, Record<string, CachedChoice>>;

function readAll(path: string): File {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch { return {}; }
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as File;
  } catch { /* fall through */ }
  renameSync(path, `${path}.corrupt`);
  process.stderr.write(`warning: ${path}: not valid autotune JSON; moved aside to ${path}.corrupt and measuring again\n`);
  return {};
}

export function fileStore(path = autotuneCachePath()): AutotuneStore {
  return {
    where: path,
    load: async (key) => ({ ...(readAll(path)[key] ?? {}) }),
    save: async (key, entries) => {
      // Re-read before writing: another run may have added sections meanwhile.
      const all = readAll(path);
      all[key] = entries;
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.tmp-${process.pid}`;
      writeFileSync(tmp, `${JSON.stringify(all, null, 1)}\n`);
      renameSync(tmp, path);
    },
  };
}

import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError, MAX_IDX_BYTES, parseIdx, toImageSet, type ImageSet } from './idx.js';
import { gunzipIdx } from './gzip.js';
import { readUserFile } from '../util/read_file.js';

export interface DataFile { name: string; sha256: string; bytes: number }

/** SHA-256 of the decompressed files, so a mirror that re-compresses them still verifies. */
export const MNIST_FILES: Record<'trainImages' | 'trainLabels' | 'testImages' | 'testLabels', DataFile> = {
  trainImages: { name: 'train-images-idx3-ubyte', sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db', bytes: 47040016 },
  trainLabels: { name: 'train-labels-idx1-ubyte', sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5', bytes: 60008 },
  testImages: { name: 't10k-images-idx3-ubyte', sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7', bytes: 7840016 },
  testLabels: { name: 't10k-labels-idx1-ubyte', sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2', bytes: 10008 },
};

export const MNIST_MIRRORS = [
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
  'https://yann.lecun.com/exdb/mnist/',
];

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

export interface Split { train: ImageSet; test: ImageSet; source: string }

/**
 * Reads `name` or `name.gz` from dir (undefined when neither exists); a .gz file is inflated only
 * as far as its IDX header allows.
 */
export async function readMaybeGz(dir: string, name: string): Promise<{ bytes: Uint8Array; path: string } | undefined> {
  for (const [file, gz] of [[`${name}.gz`, true], [name, false]] as const) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const raw = readUserFile(path, { what: 'data file', Err: DataError, maxBytes: MAX_IDX_BYTES + 20 });
    return { bytes: gz ? await gunzipIdx(raw, path) : raw, path };
  }
  return undefined;
}

export async function loadDir(dir: string, files = MNIST_FILES, verify = false): Promise<Split> {
  let st;
  try { st = statSync(dir, { throwIfNoEntry: false }); } catch { /* unreadable: reported as not found */ }
  if (!st?.isDirectory()) throw new DataError(`${dir}: ${st ? 'not a directory' : 'not found'} (the data set folder is expected here)`);
  const get = async (f: DataFile) => {
    const r = await readMaybeGz(dir, f.name);
    if (!r) throw new DataError(`${join(dir, f.name)}(.gz): file not found`);
    if (verify && sha256(r.bytes) !== f.sha256) throw new DataError(`${r.path}: SHA-256 mismatch (corrupt or not the MNIST file); delete it to download again`);
    return { idx: parseIdx(r.bytes, r.path), path: r.path };
  };
  // One file at a time: each may be large, and the first bad one is the one reported.
  const ti = await get(files.trainImages), tl = await get(files.trainLabels), vi = await get(files.testImages), vl = await get(files.testLabels);
  return { train: toImageSet(ti.idx, tl.idx, ti.path, tl.path), test: toImageSet(vi.idx, vl.idx, vi.path, vl.path), source: resolve(dir) };
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The few fs calls writeAtomic makes, so tests can inject a full disk. */
export interface WriteFs {
  writeFileSync(path: string, data: Uint8Array | string): void;
  renameSync(from: string, to: string): void;
  existsSync(path: string): boolean;
  unlinkSync(path: string): void;
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded', EROFS: 'read-only file system', EACCES: 'permission denied',
  EPERM: 'operation not permitted', EISDIR: 'is a directory', ENOENT: 'directory does not exist', ENOTDIR: 'a parent is not a directory', EIO: 'I/O error',
};

/** A failed write: `file: reason`; `existed` says an earlier version of the file is still there, untouched. */
export class WriteError extends Error {
  constructor(readonly file: string, readonly reason: string, readonly existed: boolean) {
    super(`${file}: ${reason}${existed ? `; the previous ${file} is intact` : ''}`);
  }
}

/** Writes via a temporary file and a rename, so a reader never sees a half-written file. */
export function writeAtomic(path: string, data: Uint8Array | string, fs: WriteFs = nodeFs): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, path);
  } catch (e) {
    try { if (fs.existsSync(tmp)) fs.unlinkSync(tmp); } catch { /* the write error is the one to report */ }
    const code = (e as NodeJS.ErrnoException).code ?? '';
    // The rename is the last step, so whatever was at `path` before is still there.
    throw new WriteError(path, REASONS[code] ?? (e as Error).message.split('\n')[0], fs.existsSync(path));
  }
}

export interface DownloadOptions {
  mirrors?: string[];
  fetchImpl?: typeof fetch;
  log?: (msg: string) => void;
  timeoutMs?: number;
}

/** Fetches each missing file from the first mirror that serves bytes with the right SHA-256. */
export async function downloadMnist(dir: string, opts: DownloadOptions = {}): Promise<void> {
  const mirrors = opts.mirrors ?? MNIST_MIRRORS;
  const fetchImpl = opts.fetchImpl ?? fetch;
  mkdirSync(dir, { recursive: true });
  for (const f of Object.values(MNIST_FILES)) {
    const cached = await readMaybeGz(dir, f.name).catch(() => undefined); // a corrupt cached file is fetched again
    if (cached && sha256(cached.bytes) === f.sha256) continue;
    const errors: string[] = [];
    let ok = false;
    for (const m of mirrors) {
      const url = `${m}${f.name}.gz`;
      try {
        const res = await fetchImpl(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const gz = new Uint8Array(await res.arrayBuffer());
        const raw = gunzipSync(gz, { maxOutputLength: f.bytes }); // a mirror's bytes inflate no further than the real file's size
        if (sha256(raw) !== f.sha256) throw new Error('SHA-256 mismatch');
        writeAtomic(join(dir, `${f.name}.gz`), gz);
        opts.log?.(`downloaded ${f.name}.gz from ${m}`);
        ok = true;
        break;
      } catch (e) {
        errors.push(`${url}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    if (!ok) throw new DataError(`could not download ${f.name}.gz from any mirror (${errors.join('; ')}); set MNIST_DIR to a folder holding the MNIST files`);
  }
}

/**
 * MNIST from MNIST_DIR, else the cache in data/mnist, else downloaded into that cache.
 * `fashion` reads Fashion-MNIST from Debian's dataset-fashion-mnist (same file names).
 */
export async function loadDataset(name: 'mnist' | 'fashion', opts: DownloadOptions & { env?: NodeJS.ProcessEnv; cacheDir?: string } = {}): Promise<Split> {
  const env = opts.env ?? process.env;
  if (name === 'fashion') {
    const dir = env.FASHION_MNIST_DIR ?? FASHION_DIR;
    if (!existsSync(dir)) throw new DataError(`${dir}: Fashion-MNIST not found; install it (apt-get install dataset-fashion-mnist) or set FASHION_MNIST_DIR`);
    return loadDir(dir);
  }
  if (env.MNIST_DIR) return loadDir(env.MNIST_DIR);
  const cache = opts.cacheDir ?? resolve('data/mnist');
  await downloadMnist(cache, opts);
  return loadDir(cache);
}

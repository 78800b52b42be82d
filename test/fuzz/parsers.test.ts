// Seeded fuzzing of every parser a user's file reaches. Each mutated file must end in a correct
// result or in the parser's own error class with one line naming the file: never a TypeError or
// RangeError from inside, a non-Error throw, a hang, or memory beyond what the file justifies.
// FUZZ_COUNT (default 300 per parser) and FUZZ_SEED (default 1) widen or vary the run; a failure
// names its parser, case number and seed, so `FUZZ_SEED=<seed>` replays it.
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { rng } from '../../src/util/rng.js';
import { oneLine } from '../../src/util/text.js';
import { DataError, encodeIdx, parseIdx } from '../../src/data/idx.js';
import { parseIdxAny } from '../../src/data/gzip.js';
import { decodeGrayImage, MAX_PIXELS } from '../../src/data/image_file.js';
import { ImageError, type Gray } from '../../src/data/preprocess.js';
import { decodeCheckpoint, decodeModel, encodeCheckpoint, encodeModel, type Checkpoint } from '../../src/train/model_file.js';
import { FormatError } from '../../src/train/safetensors.js';
import { Sequential } from '../../src/nn/model.js';
import { sampleImages, TINY } from '../helpers/samples.js';
import { GENERIC, GZ_OF, IDX, int, JPEG_MUT, PNG_MUT, SAFETENSORS_MUT, type Mutation } from './mutate.js';

const COUNT = Number(process.env.FUZZ_COUNT ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 1);
/** Per case: far above any honest case here (milliseconds), far below a hang. */
const CASE_MS = 3000;
/** Memory growth allowed over a parser's whole run: inputs are KBs and declare at most MAX_PIXELS or a few MB. */
const MEMORY_MB = 400;

interface Target<T> {
  name: string;
  file: string;
  seed: Uint8Array;
  mutations: Mutation[];
  Err: new (m: string) => Error;
  run(bytes: Uint8Array, file: string): T | Promise<T>;
  /** What is wrong with an accepted result, if anything. */
  check(result: T, bytes: Uint8Array): string | undefined;
}

const TIMEOUT = Symbol('timeout');
const memoryMb = () => { const m = process.memoryUsage(); return Math.max(m.rss, m.arrayBuffers) / 2 ** 20; };

async function fuzz<T>(t: Target<T>): Promise<{ failures: string[]; accepted: number; rejected: number }> {
  const r = rng(SEED * 0x9e3779b1 + [...t.name].reduce((h, c) => h * 31 + c.charCodeAt(0), 0));
  const failures: string[] = [];
  let accepted = 0, rejected = 0, peak = 0;
  const base = memoryMb();
  for (let i = 0; i < COUNT; i++) {
    const pool = r() < 0.6 ? t.mutations : GENERIC;
    let bytes = pool[int(r, pool.length)](t.seed, r);
    if (r() < 0.25) bytes = GENERIC[int(r, GENERIC.length)](bytes, r); // two kinds of damage at once
    const label = `${t.name} case ${i} (FUZZ_SEED=${SEED})`;
    const t0 = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const out = await Promise.race([
        Promise.resolve().then(() => t.run(bytes, t.file)),
        new Promise<never>((_, no) => { timer = setTimeout(() => no(TIMEOUT), CASE_MS); }),
      ]);
      const bad = t.check(out, bytes);
      if (bad) failures.push(`${label}: accepted, but ${bad}`);
      else accepted++;
    } catch (e) {
      if (e === TIMEOUT) failures.push(`${label}: no result within ${CASE_MS} ms`);
      else if (!(e instanceof t.Err)) failures.push(`${label}: threw ${(e as object)?.constructor?.name ?? typeof e}: ${oneLine(e)}`);
      else if (!e.message.startsWith(`${t.file}: `) || /[\r\n]/.test(e.message)) failures.push(`${label}: message is not one line naming the file: ${JSON.stringify(e.message)}`);
      else rejected++;
    } finally {
      clearTimeout(timer);
    }
    const ms = performance.now() - t0;
    if (ms > CASE_MS) failures.push(`${label}: took ${ms.toFixed(0)} ms`);
    peak = Math.max(peak, memoryMb() - base);
  }
  if (peak > MEMORY_MB) failures.push(`${t.name}: memory grew by ${peak.toFixed(0)} MB (limit ${MEMORY_MB})`);
  return { failures, accepted, rejected };
}

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const idxRaw = encodeIdx([3, 5, 4], Uint8Array.from({ length: 60 }, (_, i) => (i * 37) & 255));
const { png, jpg } = sampleImages();
const tiny = new Sequential(TINY);
const weights = tiny.store.initialValues(5);
const imageCheck = (g: Gray) =>
  g.width * g.height !== g.data.length || g.width * g.height > MAX_PIXELS ? `decoded ${g.width}x${g.height} with ${g.data.length} pixels` : undefined;
const finite = (xs: Float32Array[]) => (xs.every((x) => x.every(Number.isFinite)) ? undefined : 'a NaN or infinite value passed');

const targets: Array<Target<any>> = [
  {
    name: 'IDX', file: 'f.idx', seed: idxRaw, mutations: IDX, Err: DataError, run: parseIdx,
    check: (x: ReturnType<typeof parseIdx>, b) => (x.data.length !== product(x.dims) || x.data.length > b.length ? `dims [${x.dims}] with ${x.data.length} bytes` : undefined),
  },
  {
    name: 'IDX gzip', file: 'f.idx.gz', seed: new Uint8Array(gzipSync(idxRaw)), mutations: [...GZ_OF(idxRaw), ...IDX], Err: DataError, run: parseIdxAny,
    check: (x: ReturnType<typeof parseIdx>, b) => (x.data.length !== product(x.dims) || x.data.length > 1032 * b.length ? `dims [${x.dims}] with ${x.data.length} bytes` : undefined),
  },
  { name: 'PNG', file: 'f.png', seed: png, mutations: PNG_MUT, Err: ImageError, run: decodeGrayImage, check: imageCheck },
  { name: 'JPEG', file: 'f.jpg', seed: jpg, mutations: JPEG_MUT, Err: ImageError, run: decodeGrayImage, check: imageCheck },
  {
    name: 'model', file: 'f.safetensors', seed: encodeModel(TINY, tiny.store, weights), mutations: SAFETENSORS_MUT, Err: FormatError, run: decodeModel,
    check: (x: ReturnType<typeof decodeModel>) => (x.weights.length !== x.model.store.stateSize ? `${x.weights.length} weights for ${x.model.store.stateSize}` : finite([x.weights])),
  },
  {
    name: 'checkpoint', file: 'f.ckpt', Err: FormatError, run: decodeCheckpoint, mutations: SAFETENSORS_MUT,
    seed: encodeCheckpoint({ spec: TINY, weights, slots: [weights.map((v) => v / 3), weights.map((v) => v * v)], optimizer: { type: 'adam', lr: 0.002 }, epoch: 3, step: 120, config: { batch: 8 } }, tiny.store),
    check: (c: Checkpoint) => {
      if (![c.epoch, c.step].every((n) => Number.isSafeInteger(n) && n >= 0)) return `epoch ${c.epoch}, step ${c.step}`;
      if (!['sgd', 'adam', 'adamw'].includes(c.optimizer.type) || !(c.optimizer.lr > 0)) return `optimizer ${JSON.stringify(c.optimizer)}`;
      return finite([c.weights, ...c.slots]);
    },
  },
];

describe(`fuzzing the file parsers (${COUNT} cases each, FUZZ_SEED=${SEED})`, () => {
  it.each(targets.map((t) => [t.name, t] as const))('%s', async (_name, t) => {
    const { failures, accepted, rejected } = await fuzz(t);
    expect(failures.slice(0, 10)).toEqual([]);
    // The mutations must reach past the first check: some files still parse, most do not.
    expect(rejected).toBeGreaterThan(COUNT / 4);
    if (COUNT >= 100) expect(accepted).toBeGreaterThan(0);
  }, 600_000);
});

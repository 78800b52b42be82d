import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, parseIdx, toImageSet } from '../../src/data/idx.js';
import { loadDir, loadDataset } from '../../src/data/mnist.js';

function idx(dims: number[], data: number[] | Uint8Array, type = 0x08): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  const v = new DataView(head.buffer);
  head[2] = type; head[3] = dims.length;
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(head.length + data.length);
  out.set(head); out.set(data, head.length);
  return out;
}

describe('IDX parser', () => {
  it('parses images and labels', () => {
    const im = parseIdx(idx([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), 'im');
    expect(im.dims).toEqual([2, 2, 3]);
    expect(Array.from(im.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const set = toImageSet(im, parseIdx(idx([2], [3, 9]), 'lb'), 'im', 'lb');
    expect([set.count, set.rows, set.cols]).toEqual([2, 2, 3]);
  });

  const bad: Array<[string, Uint8Array, RegExp]> = [
    ['short', new Uint8Array([0, 0]), /f: too short for an IDX header/],
    ['gzip', gzipSync(idx([1], [1])), /f: not an IDX file \(bad magic number/],
    ['type', idx([1], [0, 0, 0, 0], 0x0d), /f: unsupported IDX type code 0xd/],
    ['truncated data', idx([3, 2, 2], [1, 2, 3]), /f: header declares \[3 x 2 x 2\] = 12 bytes of data but the file holds 3/],
    ['trailing data', idx([1], [1, 2]), /holds 2/],
    ['zero dim', idx([0, 28, 28], []), /f: empty dimension/],
    ['truncated header', idx([5, 5, 5], []).subarray(0, 10), /f: truncated header/],
  ];
  it.each(bad)('rejects %s with one line naming the file', (_n, bytes, re) => {
    let err: Error | null = null;
    try { parseIdx(bytes, 'f'); } catch (e) { err = e as Error; }
    expect(err).toBeInstanceOf(DataError);
    expect(err!.message).toMatch(re);
    expect(err!.message).not.toContain('\n');
  });

  it('checks image/label agreement and label range', () => {
    const im = parseIdx(idx([2, 1, 1], [0, 0]), 'im');
    expect(() => toImageSet(im, parseIdx(idx([3], [0, 1, 2]), 'lb'), 'im', 'lb')).toThrow(/lb: 3 labels for 2 images in im/);
    expect(() => toImageSet(im, parseIdx(idx([2], [0, 12]), 'lb'), 'im', 'lb')).toThrow(/lb: label 12 at index 1 is outside 0..9/);
    expect(() => toImageSet(parseIdx(idx([2], [0, 0]), 'im'), im, 'im', 'lb')).toThrow(/im: expected 3 dimensions/);
  });

  it('reads a folder of .gz or plain files and names a missing or corrupt one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idx-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([2], [1, 2]));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx([1, 2, 2], [1, 2, 3, 4]));
    await expect(loadDir(dir)).rejects.toThrow(/t10k-labels-idx1-ubyte\(\.gz\): file not found/);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), 'not gzip');
    await expect(loadDir(dir)).rejects.toThrow(/t10k-labels-idx1-ubyte\.gz: not a valid gzip file/);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx([1], [7])));
    const s = await loadDir(dir);
    expect([s.train.count, s.test.count, s.test.labels[0]]).toEqual([2, 1, 7]);
  });
});

describe('real MNIST from MNIST_DIR', () => {
  it('loads all four genuine files with the documented shapes', async () => {
    const dir = process.env.MNIST_DIR;
    if (!dir) throw new Error('MNIST_DIR is not set; run the tests with MNIST_DIR=../shared/data/mnist (as .ci/run does)');
    const s = await loadDataset('mnist', { env: { MNIST_DIR: dir } });
    expect([s.train.count, s.train.rows, s.train.cols, s.test.count]).toEqual([60000, 28, 28, 10000]);
    expect((await loadDir(dir, undefined, true)).train.count).toBe(60000); // SHA-256 of every file matches
  });
});

describe('IDX without Node APIs (the browser path)', () => {
  it('parses gzip-compressed and plain bytes through DecompressionStream', async () => {
    const { parseIdxAny } = await import('../../src/data/gzip.js');
    const raw = idx([2, 1, 2], [9, 8, 7, 6]);
    expect(Array.from((await parseIdxAny(gzipSync(raw), 'a.gz')).data)).toEqual([9, 8, 7, 6]);
    expect((await parseIdxAny(raw, 'a')).dims).toEqual([2, 1, 2]);
    const broken = gzipSync(raw).subarray(0, 12);
    await expect(parseIdxAny(broken, 'b.gz')).rejects.toThrow(/^b.gz: not a valid gzip file/);
  });
});

describe('IDX files a user may get wrong', () => {
  it('names a directory where a data file or the data folder is expected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idx-'));
    mkdirSync(join(dir, 'train-images-idx3-ubyte.gz'));
    await expect(loadDir(dir)).rejects.toThrow(/^\/.*\/train-images-idx3-ubyte\.gz: is a directory, not a data file$/);
    await expect(loadDir(join(dir, 'nope'))).rejects.toThrow(/\/nope: not found \(the data set folder is expected here\)$/);
    writeFileSync(join(dir, 'plain'), 'x');
    await expect(loadDir(join(dir, 'plain'))).rejects.toThrow(/\/plain: not a directory \(the data set folder/);
  });

  it('refuses a header declaring more data than the limit or than a gzip file can hold', async () => {
    expect(() => parseIdx(idx([65536, 65536, 2], []), 'big')).toThrow(/^big: header declares \[65536 x 65536 x 2\] = 8589934592 bytes of data, more than the limit of 1073741824$/);
    const { parseIdxAny } = await import('../../src/data/gzip.js');
    const small = gzipSync(idx([60000, 28, 28], []));
    await expect(parseIdxAny(small, 'g.gz')).rejects.toThrow(new RegExp(`^g.gz: IDX header declares 47040016 bytes, more than a ${small.length}-byte gzip file can hold$`));
    await expect(parseIdxAny(gzipSync(idx([10], [1, 2, 3])), 'g.gz')).rejects.toThrow(/^g.gz: header declares \[10\] = 10 bytes of data but the file holds 3$/);
    await expect(parseIdxAny(gzipSync(Buffer.from('%PDF-1.4')), 'g.gz')).rejects.toThrow(/^g.gz: not an IDX file/);
  });
});

// The downloader against a local HTTP server: a dead mirror, a mirror serving wrong bytes, and a
// good one; verification by SHA-256 and atomic writes into the cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { downloadMnist, loadDataset, MNIST_FILES } from '../../src/data/mnist.js';

const src = process.env.MNIST_DIR;
let server: Server;
let base = '';
const hits: string[] = [];

beforeAll(async () => {
  if (!src) throw new Error('MNIST_DIR is not set; run the tests with MNIST_DIR=../shared/data/mnist');
  server = createServer((req, res) => {
    hits.push(req.url!);
    const [, mirror, file] = req.url!.split('/');
    if (mirror === 'dead') { res.writeHead(503); res.end(); return; }
    if (mirror === 'wrong') { res.writeHead(200); res.end(gzipSync(Buffer.from('definitely not mnist'))); return; }
    const p = join(src!, file);
    if (!existsSync(p)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200);
    res.end(readFileSync(p));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('MNIST download', () => {
  it('skips failing mirrors, verifies, caches atomically, then reuses the cache', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'mnist-'));
    const log: string[] = [];
    const mirrors = [`${base}/dead/`, `${base}/wrong/`, `${base}/good/`];
    const split = await loadDataset('mnist', { env: {}, cacheDir: cache, mirrors, log: (m) => log.push(m) });
    expect([split.train.count, split.test.count]).toEqual([60000, 10000]);
    expect(log).toHaveLength(4);
    expect(log.every((l) => l.includes('/good/'))).toBe(true);
    expect(readdirSync(cache).sort()).toEqual(Object.values(MNIST_FILES).map((f) => `${f.name}.gz`).sort()); // no temp files left
    const before = hits.length;
    await loadDataset('mnist', { env: {}, cacheDir: cache, mirrors });
    expect(hits.length).toBe(before); // served from the cache
  });

  it('replaces a corrupt cached file and fails with one line when no mirror has it', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'mnist-'));
    writeFileSync(join(cache, 't10k-labels-idx1-ubyte.gz'), gzipSync(Buffer.from('corrupt')));
    await downloadMnist(cache, { mirrors: [`${base}/good/`] });
    expect(readFileSync(join(cache, 't10k-labels-idx1-ubyte.gz')).length).toBeGreaterThan(1000);
    const empty = mkdtempSync(join(tmpdir(), 'mnist-'));
    const err = await downloadMnist(empty, { mirrors: [`${base}/dead/`, `${base}/wrong/`] }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^could not download train-images-idx3-ubyte.gz from any mirror \(.*HTTP 503; .*SHA-256 mismatch\); set MNIST_DIR/);
    expect(readdirSync(empty)).toEqual([]);
  });
});

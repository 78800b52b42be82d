// A gzip bomb: a valid IDX header for 10 images of 28x28, then 512 MB of zeros, about 0.5 MB
// compressed. Reading it must stop as soon as the output passes the 7,856 bytes the header
// declares, not inflate it all first (the old reader took the full inflated size in memory).
import { describe, expect, it } from 'vitest';
import { createGzip } from 'node:zlib';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeIdx } from '../../src/data/idx.js';
import { parseIdxAny } from '../../src/data/gzip.js';
import { loadDir } from '../../src/data/mnist.js';

const ZEROS_MB = 512;

/** Compresses header + zeros as a stream, so the test itself never holds the inflated bytes. */
async function bomb(): Promise<Uint8Array> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((r) => gz.on('end', r));
  gz.write(encodeIdx([10, 28, 28], new Uint8Array(0)));
  const mb = Buffer.alloc(1 << 20);
  for (let i = 0; i < ZEROS_MB; i++) if (!gz.write(mb)) await new Promise((r) => gz.once('drain', r));
  gz.end();
  await done;
  return new Uint8Array(Buffer.concat(out));
}

/** Runs `f`, sampling memory meanwhile; returns its error and the largest growth in bytes. */
async function peakGrowth(f: () => Promise<unknown>): Promise<{ err: Error; growth: number }> {
  const mem = () => { const m = process.memoryUsage(); return Math.max(m.rss, m.arrayBuffers); };
  const base = mem();
  let peak = base;
  const timer = setInterval(() => { peak = Math.max(peak, mem()); }, 2);
  const err = await f().then(() => new Error('no error'), (e: Error) => e);
  clearInterval(timer);
  return { err, growth: Math.max(peak, mem()) - base };
}

describe('a gzip bomb in an IDX file', () => {
  it('stops at the size the header declares, with one line naming the file, in bounded memory', async () => {
    const gz = await bomb();
    expect(gz.length).toBeLessThan(2 << 20); // really a bomb: > 250x
    const direct = await peakGrowth(() => parseIdxAny(gz, 'bomb.gz'));
    expect(direct.err.message).toBe('bomb.gz: inflates past the 7856 bytes its IDX header declares (corrupt file or gzip bomb)');
    expect(direct.growth).toBeLessThan(200 << 20);

    const dir = mkdtempSync(join(tmpdir(), 'bomb-'));
    const file = join(dir, 'train-images-idx3-ubyte.gz');
    writeFileSync(file, gz);
    const viaDir = await peakGrowth(() => loadDir(dir));
    expect(viaDir.err.message).toBe(`${file}: inflates past the 7856 bytes its IDX header declares (corrupt file or gzip bomb)`);
    expect(viaDir.growth).toBeLessThan(200 << 20);
  });
});

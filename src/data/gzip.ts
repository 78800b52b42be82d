import { DataError, parseIdx, type Idx } from './idx.js';

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Gunzip with the platform's DecompressionStream (browsers, and Node >= 18). */
export async function gunzip(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes.slice()]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new DataError(`${file}: not a valid gzip file (${(e as Error).message.split('\n')[0]})`);
  }
}

/** An IDX file's bytes, gzip-compressed or not, parsed without any Node API (for the pages). */
export async function parseIdxAny(bytes: Uint8Array, file: string): Promise<Idx> {
  return parseIdx(isGzip(bytes) ? await gunzip(bytes, file) : bytes, file);
}

import { DataError, parseIdx, readIdxHeader, type Idx } from './idx.js';
import { oneLine } from '../util/text.js';

export const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Deflate's best case: a 258-byte match in 2 bits. No gzip file inflates to more than this many times its size. */
const MAX_RATIO = 1032;
/** Compressed bytes handed to the inflater at a time, so it never runs far ahead of the size check. */
const SLICE = 16 * 1024;

/**
 * Inflates a gzip-compressed IDX file with the platform's DecompressionStream (browsers, and
 * Node >= 18), chunk by chunk: the header is checked as soon as its bytes are out, and inflation
 * stops as soon as the output passes the size that header declares. A gzip bomb thus costs at
 * most its declared size (itself capped by MAX_IDX_BYTES) plus a chunk, never its inflated size.
 */
export async function gunzipIdx(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  const ds = new DecompressionStream('gzip');
  const writer = ds.writable.getWriter(), reader = ds.readable.getReader();
  const feed = (async () => {
    for (let at = 0; at < bytes.length; at += SLICE) await writer.write(bytes.slice(at, at + SLICE));
    await writer.close();
  })();
  feed.catch(() => {}); // a failed write is the stream's failure, which the reader reports below
  const parts: Uint8Array[] = [];
  let total = 0, size: number | undefined;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        throw new DataError(`${file}: not a valid gzip file (${oneLine(e)})`);
      }
      if (chunk.done) break;
      parts.push(chunk.value);
      total += chunk.value.length;
      if (size === undefined) {
        // The header is at most 20 bytes, so this joins only the first few small chunks.
        const h = readIdxHeader(parts.length === 1 ? parts[0] : join(parts, total), file);
        if (h && h.size > MAX_RATIO * bytes.length) {
          throw new DataError(`${file}: IDX header declares ${h.size} bytes, more than a ${bytes.length}-byte gzip file can hold`);
        }
        size = h?.size;
      }
      if (size !== undefined && total > size) {
        throw new DataError(`${file}: inflates past the ${size} bytes its IDX header declares (corrupt file or gzip bomb)`);
      }
    }
  } catch (e) {
    reader.cancel().catch(() => {}); // stops the inflater; the feed then fails quietly
    throw e;
  }
  return join(parts, total);
}

function join(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** An IDX file's bytes, gzip-compressed or not, parsed without any Node API (for the pages). */
export async function parseIdxAny(bytes: Uint8Array, file: string): Promise<Idx> {
  return parseIdx(isGzip(bytes) ? await gunzipIdx(bytes, file) : bytes, file);
}

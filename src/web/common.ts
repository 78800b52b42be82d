// What every page shares: the WebGPU context (or a clear message), data loading, small DOM helpers.
import { createBrowserContext, ENABLE_WEBGPU_HINT } from '../gpu/browser.js';
import type { GpuContext } from '../gpu/context.js';
import { SelectionPolicy } from '../kernels/select.js';
import { indexedDbStore } from './autotune_idb.js';
import { parseIdxAny } from '../data/gzip.js';
import { take, toImageSet } from '../data/idx.js';
import type { Split } from '../data/mnist.js';

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page is missing #${id}`);
  return el as T;
};

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...kids: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
}

export function setStatus(text: string, kind: 'info' | 'error' = 'info'): void {
  const s = $('status');
  s.textContent = text;
  s.className = kind;
}

/** The page's GPU context; on a browser without WebGPU, a banner that says how to enable it. */
export async function pageContext(profile = false): Promise<GpuContext | null> {
  try {
    // Autotune results persist per adapter and engine build in IndexedDB.
    const selection = new SelectionPolicy({ store: indexedDbStore() });
    const ctx = await createBrowserContext({ profile, onLost: (m) => setStatus(m, 'error'), selection });
    $('adapter').textContent = `adapter: ${ctx.describe()}${ctx.hasTimestamps ? ', timestamp-query' : ', no timestamp-query'}`;
    return ctx;
  } catch (e) {
    const banner = el('div', { className: 'banner', id: 'no-webgpu' }, el('strong', {}, 'WebGPU is not available. '), (e as Error).message || ENABLE_WEBGPU_HINT);
    document.body.prepend(banner);
    setStatus('no WebGPU', 'error');
    return null;
  }
}

export const FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;

async function fetchBytes(url: string): Promise<Uint8Array | null> {
  const res = await fetch(url);
  // Dev servers answer unknown paths with an HTML page; that is not the file either.
  if (!res.ok || (res.headers.get('content-type') ?? '').startsWith('text/html')) return null;
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * The four IDX files (gzip or not) from data/<set>/ beside the page (npm run dev and the headless
 * runner serve them there), or from files the user picked.
 */
export async function loadSplit(set: string, picked: FileList | null, limits: { train?: number; test?: number } = {}): Promise<Split> {
  const bytes: Uint8Array[] = [];
  let source = `data/${set}/`;
  if (picked && picked.length) {
    const byName = new Map([...picked].map((f) => [f.name.replace(/\.gz$/, ''), f]));
    for (const name of FILES) {
      const f = byName.get(name);
      if (!f) throw new Error(`picked files: ${name}(.gz) is missing (pick all four MNIST-format files)`);
      bytes.push(new Uint8Array(await f.arrayBuffer()));
    }
    source = 'picked files';
  } else {
    for (const name of FILES) {
      const b = (await fetchBytes(`data/${set}/${name}`)) ?? (await fetchBytes(`data/${set}/${name}.gz`));
      if (!b) throw new Error(`data/${set}/${name}: not served here; run the page with npm run dev (it serves MNIST_DIR or data/mnist) or pick the four files`);
      bytes.push(b);
    }
  }
  const [ti, tl, vi, vl] = await Promise.all(bytes.map((b, i) => parseIdxAny(b, `${source}${FILES[i]}`)));
  const train = toImageSet(ti, tl, FILES[0], FILES[1]), test = toImageSet(vi, vl, FILES[2], FILES[3]);
  return { source, train: limits.train ? take(train, limits.train) : train, test: limits.test ? take(test, limits.test) : test };
}

export function download(bytes: Uint8Array | string, name: string, type = 'application/octet-stream'): void {
  const a = el('a', { href: URL.createObjectURL(new Blob([bytes as BlobPart], { type })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

/** Messages to the headless runner (Playwright exposes window.cnnReport); a no-op in a normal browser. */
export async function report(msg: object): Promise<void> {
  const w = window as unknown as { cnnReport?: (json: string) => Promise<void> };
  await w.cnnReport?.(JSON.stringify(msg));
}

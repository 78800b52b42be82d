// The TF.js peer (bench/tfjs, which npm run build puts in tfjs/ beside this page) in a hidden
// same-origin iframe: same browser, same adapter, the same models trained with Adam. TF.js stays
// in its own bundle; neither the engine nor this page imports it.
import type { WallClock } from '../train/profile.js';
import { el } from './common.js';

export interface PeerTiming { backend: string; msPerStep?: number; imagesPerSec?: number; error?: string; wasmThreads?: number | null; crossOriginIsolated?: boolean }
export interface PeerRun { model: string; batch: number; steps: number; tfjs: string; ours: WallClock; peers: PeerTiming[]; ratios: Record<string, number | null> }
interface PeerApi { version: string; measure(r: { backend: string; model: string; batch: number; steps: number }): Promise<PeerTiming> }

export const PEER_MODELS = ['lenet', 'keras'];
let loading: Promise<PeerApi> | null = null;

function loadPeer(): Promise<PeerApi> {
  loading ??= (async () => {
    const url = new URL('tfjs/index.html', location.href).href;
    const res = await fetch(url);
    // A dev server answers a missing file with its own index page: look for the peer's title.
    if (!res.ok || !(await res.text()).includes('TF.js peer')) throw new Error(`${url}: the TF.js peer is not served here (npm run build puts it in dist/web/tfjs/; npm run dev does not build it)`);
    const frame = el('iframe', { src: url, title: 'TF.js peer', hidden: true });
    document.body.append(frame);
    for (let i = 0; i < 600; i++) {
      const api = (frame.contentWindow as unknown as { peer?: PeerApi } | null)?.peer;
      if (api) return api;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    throw new Error(`${url}: the TF.js peer did not start within 60 s`);
  })();
  loading.catch(() => { loading = null; });
  return loading;
}

/** Ours (whole steps, wall clock) then each TF.js backend, one after another on this adapter. */
export async function runPeer(req: { model: string; batch: number; steps: number; backends: string[] }, ours: () => Promise<WallClock>, status: (s: string) => void): Promise<PeerRun> {
  if (!PEER_MODELS.includes(req.model)) throw new Error(`the TF.js peer builds ${PEER_MODELS.join(' and ')} only, not ${req.model}`);
  if (!req.backends.length) throw new Error('pick at least one TF.js backend');
  status('loading the TF.js peer...');
  const api = await loadPeer();
  status(`timing ours: ${req.model}, batch ${req.batch}...`);
  const o = await ours();
  const peers: PeerTiming[] = [], ratios: Record<string, number | null> = {};
  for (const backend of req.backends) {
    status(`timing TF.js ${backend}: ${req.model}, batch ${req.batch}...`);
    const p = await api.measure({ backend, model: req.model, batch: req.batch, steps: req.steps });
    peers.push(p);
    ratios[backend] = p.imagesPerSec ? o.imagesPerSec / p.imagesPerSec : null;
  }
  return { model: req.model, batch: req.batch, steps: req.steps, tfjs: api.version, ours: o, peers, ratios };
}

export function peerTable(r: PeerRun): HTMLElement {
  const f = (v: number | undefined, d = 1) => (v === undefined ? '-' : v.toFixed(d));
  const rows = [['webgpu-cnn (ours)', f(r.ours.msPerStep), f(r.ours.imagesPerSec, 0), '1.00x'],
    ...r.peers.map((p) => (p.error ? [`TF.js ${p.backend}`, `failed: ${p.error}`, '-', '-'] : [`TF.js ${p.backend}`, f(p.msPerStep), f(p.imagesPerSec, 0), `${r.ratios[p.backend]!.toFixed(2)}x`]))];
  const wasm = r.peers.find((p) => p.backend === 'wasm' && !p.error);
  const note = wasm ? ` TF.js wasm ran on ${wasm.wasmThreads} thread${wasm.wasmThreads === 1 ? '' : 's'}${wasm.crossOriginIsolated ? '' : ' (this page is not cross-origin isolated, so wasm gets no threads; npm run bench:compare serves it with COOP/COEP)'}.` : '';
  return el('div', {},
    el('p', {}, `${r.model}, batch ${r.batch}, Adam, ${r.steps} timed step${r.steps === 1 ? '' : 's'} after a warm-up, TF.js ${r.tfjs}; ours / peer compares images/s (above 1: ours is faster).${note}`),
    el('table', { id: 'peer-table' }, el('tr', {}, ...['trainer', 'ms/step', 'images/s', 'ours / peer'].map((h) => el('th', {}, h))),
      ...rows.map((row) => el('tr', {}, ...row.map((c) => el('td', {}, c))))));
}

// Benchmark page: every registered kernel version at chosen sizes, then a whole training step,
// timed with timestamp-query. `window.cnn.bench` / `.profile` serve the headless runner.
import { createBrowserContext } from '../gpu/browser.js';
import type { GpuContext } from '../gpu/context.js';
import { BENCH_SIZES, checkSize, type BenchSize } from '../kernels/bench_cases.js';
import { benchKernels, type KernelResult } from '../kernels/bench.js';
import { formatCeilings, measureCeilings, type Ceilings } from '../kernels/ceiling.js';
import { PRESETS } from '../nn/presets.js';
import type { ModelSpec } from '../nn/model.js';
import { SelectionPolicy, type SelectionConfig } from '../kernels/select.js';
import { chromeTrace, profileStep, wallClock, type StepProfile, type WallClock } from '../train/profile.js';
import { ENGINE_VERSION } from '../version.js';
import { runSelftest, selftestCases, type SelftestReport } from '../selftest/run.js';
import { $, download, el, pageContext, setStatus } from './common.js';
import { peerTable, runPeer, type PeerRun } from './bench_peer.js';
import { roofline, type RoofPoint } from './roofline.js';
import { timeline } from './timeline.js';

/** A preset's name, or with `spec` the architecture itself (the runner sends a file's). */
type ModelRef = { model: string; spec?: ModelSpec };
export interface BenchRequest extends ModelRef { size: BenchSize; reps: number; batch: number; steps: number }
export interface BenchReport { adapter: string; userAgent: string; size: BenchSize; ceilings: Ceilings; kernels: KernelResult[]; dropped: number; step: StepProfile }

let plain: GpuContext | null = null;
let checker: GpuContext | null = null;
let last: BenchReport | null = null;
let lastPeer: PeerRun | null = null;

const rate = (x: number, us: number) => (us > 0 ? (x / us / 1e3).toFixed(2) : '-');
const table = (head: string[], rows: string[][]) =>
  el('table', {}, el('tr', {}, ...head.map((h) => el('th', {}, h))), ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c)))));

function fillPreset(name: string): void {
  const s = BENCH_SIZES[name];
  $<HTMLInputElement>('conv').value = `${s.N} ${s.C} ${s.H} ${s.W}`;
  $<HTMLInputElement>('kk').value = `${s.K} ${s.k}`;
  $<HTMLInputElement>('mm').value = `${s.M} ${s.Kd} ${s.Nm}`;
  $<HTMLInputElement>('n').value = String(s.n);
}

function formRequest(): BenchRequest {
  const nums = (id: string) => $<HTMLInputElement>(id).value.trim().split(/[\s,x]+/).map(Number);
  const [N, C, H, W] = nums('conv'), [K, k] = nums('kk'), [M, Kd, Nm] = nums('mm'), [n] = nums('n');
  const f = new FormData($<HTMLFormElement>('form'));
  return { size: checkSize({ N, C, H, W, K, k, M, Kd, Nm, n }), reps: Number(f.get('reps')), model: String(f.get('model')), batch: Number(f.get('batch')), steps: Number(f.get('steps')) };
}

function specOf(r: ModelRef): ModelSpec {
  const spec = r.spec ?? PRESETS[r.model];
  if (!spec) throw new Error(`unknown model '${r.model}' (presets: ${Object.keys(PRESETS).join(', ')})`);
  return spec;
}

async function stepProfile(ctx: GpuContext, r: ModelRef, batch: number, steps: number): Promise<StepProfile> {
  const p = await profileStep(ctx, specOf(r), batch, steps);
  p.wall = await wall(ctx, r, batch, steps);
  return p;
}

function showStep(p: StepProfile): void {
  const w = p.wall!;
  $('step').replaceChildren(
    el('p', {}, `${p.model}, batch ${p.batch}: ${w.msPerStep.toFixed(1)} ms/step, ${Math.round(w.imagesPerSec)} images/s, CPU encode ${w.encodeMs.toFixed(2)} ms/step, ${w.dispatches} dispatches in one command buffer; dropped spans ${p.dropped}`),
    table(['kernel', 'calls/step', 'median µs/step', 'GFLOP/s', 'GB/s', '% of step'],
      p.rows.map((r) => [r.kernel, String(r.calls), r.us.toFixed(0), rate(r.flops, r.us), rate(r.bytes, r.us), ((100 * r.us) / (p.totalUs || 1)).toFixed(1)])));
  const t = timeline(p.spans, `One ${p.model} training step, batch ${p.batch}: ${p.spans.length} dispatches`);
  $('timeline').replaceChildren(t.svg);
  $('timeline-note').textContent = `The last profiled step: kernels busy ${(t.busyNs / 1e6).toFixed(2)} ms of the ${(t.spanNs / 1e6).toFixed(2)} ms from the first dispatch's start to the last one's end `
    + '(each dispatch is its own timed pass here, so the gaps include per-pass overhead the wall clock above does not pay). Bars under one pixel are drawn one pixel wide; hover a bar for its kernel and time.';
}

function showRoofline(c: Ceilings, kernels: KernelResult[], step: StepProfile, adapter: string): void {
  const points: RoofPoint[] = [...kernels.map((k) => ({ kernel: k.kernel, series: 'sweep' as const, flops: k.flops, bytes: k.bytes, us: k.medianUs })),
    ...step.rows.map((r) => ({ kernel: r.kernel, series: 'step' as const, flops: r.flops, bytes: r.bytes, us: r.us }))];
  const r = roofline(points, { copyGBs: c.copyGBs, matmulGFLOPs: c.matmulGFLOPs, matmulLabel: `${c.matmulKernel} ${c.matmulSize}³` }, `Roofline: ${adapter}`);
  $('roofline').replaceChildren(r.svg);
  const gbs = (p: RoofPoint) => `${p.kernel} ${(p.bytes / p.us / 1e3).toFixed(2)} GB/s`;
  $('roofline-note').textContent = [`${r.plotted} points: GFLOP/s and FLOP/byte from each kernel's declared FLOPs and bytes and its median time; the roofs are this adapter's measured copy bandwidth and best matmul.`,
    r.noFlops.length ? `Not plotted, data movement only (no FLOPs): ${r.noFlops.map(gbs).join(', ')}.` : '',
    r.untimed.length ? `Not plotted, no time (below the timer's resolution) or no bytes: ${r.untimed.map((p) => p.kernel).join(', ')}.` : '',
    r.hiddenLabels ? `${r.hiddenLabels} labels left out where they would overlap; hover a point for its kernel.` : ''].filter(Boolean).join(' ');
}

/** What lets results from different machines be collected side by side. */
async function environment(ctx: GpuContext): Promise<Record<string, unknown>> {
  const plainObject = (o: object) => { const r: Record<string, unknown> = {}; for (const k in o) if (typeof (o as Record<string, unknown>)[k] !== 'function') r[k] = (o as Record<string, unknown>)[k]; return r; };
  // The context keeps the device only; the same request finds the same adapter again.
  const a = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  return {
    engineVersion: ENGINE_VERSION, date: new Date().toISOString(), userAgent: navigator.userAgent,
    adapterInfo: a ? plainObject(a.info) : null, limits: a ? plainObject(a.limits) : null, features: a ? [...a.features].sort() : null,
    deviceLimits: plainObject(ctx.limits), deviceFeatures: [...ctx.device.features].sort(),
  };
}

export async function runBench(ctx: GpuContext, req: BenchRequest): Promise<BenchReport> {
  const rows: string[][] = [];
  setStatus('measuring the adapter\'s ceilings (large copy, best matmul)...');
  const ceilings = await measureCeilings(ctx);
  const pct = (x: number, us: number, top: number) => (us > 0 ? `${((100 * x) / us / 1e3 / top).toFixed(1)}%` : '-');
  const render = () => $('kernels').replaceChildren(el('p', { id: 'ceilings' }, formatCeilings(ceilings)),
    table(['kernel', 'passes', 'median µs', 'min µs', 'runs', 'GFLOP/s', 'GB/s', '% of matmul ceiling', '% of copy ceiling'], rows));
  setStatus('timing kernels...');
  const { results, dropped } = await benchKernels(ctx, req.size, {
    reps: req.reps,
    onResult: (r) => {
      rows.push([r.kernel, String(r.passes), r.medianUs.toFixed(1), r.minUs.toFixed(1), String(r.runs), rate(r.flops, r.medianUs), rate(r.bytes, r.medianUs),
        pct(r.flops, r.medianUs, ceilings.matmulGFLOPs), pct(r.bytes, r.medianUs, ceilings.copyGBs)]);
      render();
      setStatus(`timed ${r.kernel}`);
    },
  });
  setStatus(`profiling a ${req.model} training step...`);
  const step = await stepProfile(ctx, req, req.batch, req.steps);
  showStep(step);
  $('quant').textContent = step.quantumNs >= 1000
    ? `Timestamps here are quantised to ${step.quantumNs / 1000} µs (Chrome does this unless WebGPU developer features are on); short kernels read as 0 or one quantum.`
    : 'Timestamps are not quantised on this browser/adapter.';
  showRoofline(ceilings, results, step, ctx.describe());
  last = { adapter: ctx.describe(), userAgent: navigator.userAgent, size: req.size, ceilings, kernels: results, dropped, step };
  $<HTMLButtonElement>('json').disabled = false;
  $<HTMLButtonElement>('trace').disabled = false;
  setStatus(`done: ${results.length} kernels, ${dropped} negative spans dropped`);
  return last;
}

/** Whole training steps on a context without a profiler: what training gets. */
async function wall(ctx: GpuContext, r: ModelRef, batch: number, steps: number): Promise<WallClock> {
  const spec = specOf(r);
  plain ??= await createBrowserContext({ selection: ctx.select }); // the profiled run's choices
  return wallClock(plain, spec, batch, steps);
}

async function peer(ctx: GpuContext, r: { model: string; batch: number; steps: number; backends: string[] }): Promise<PeerRun> {
  lastPeer = await runPeer(r, () => wall(ctx, r, r.batch, r.steps), (m) => setStatus(m));
  $('peer').replaceChildren(peerTable(lastPeer));
  $<HTMLButtonElement>('json').disabled = false;
  setStatus(`done: ours and TF.js ${r.backends.join(', ')} on ${r.model}, batch ${r.batch}`);
  return lastPeer;
}

/** The JSON export: this machine, then the last kernel/step run and the last TF.js comparison. */
async function exportReport(ctx: GpuContext): Promise<object> {
  return { ...(await environment(ctx)), ...(last ?? { adapter: ctx.describe() }), peer: lastPeer };
}

/** selftest on this adapter (src/selftest/run.ts): the lines as they come, failures in the status. */
async function validate(filter: string[] = []): Promise<SelftestReport & { lines: string[] }> {
  const out = $('selftest'), lines: string[] = [];
  out.textContent = '';
  setStatus('validating every kernel version and each preset\'s training step against float64...');
  // Its own device, and the built-in order for the steps (as the CLI's selftest): no timing runs.
  checker ??= await createBrowserContext({ selection: new SelectionPolicy({ autotune: false }) });
  const r = await runSelftest(checker, selftestCases(filter), { log: (l) => { lines.push(l); out.textContent += `${l}\n`; } });
  setStatus(r.failed ? `validation: ${r.failed} of ${r.passed + r.failed} cases FAILED (lines starting FAIL below)` : `validation: all ${r.passed} cases passed`, r.failed ? 'error' : 'info');
  return { ...r, lines };
}

async function main(): Promise<void> {
  fillPreset('mnist');
  $('preset').addEventListener('change', () => fillPreset($<HTMLSelectElement>('preset').value));
  $('form').addEventListener('submit', (ev) => ev.preventDefault());
  const ctx = await pageContext(true);
  const w = window as unknown as { cnn?: object };
  if (!ctx) { w.cnn = { error: 'no WebGPU' }; return; }
  // Validation needs no timestamps: it works on any adapter.
  let validating = false;
  $('validate').addEventListener('click', () => {
    if (validating) return;
    validating = true;
    validate().catch((e: Error) => setStatus(`error: ${e.message}`, 'error')).finally(() => { validating = false; });
  });
  if (!ctx.profiler) { setStatus('this adapter has no timestamp-query: per-kernel times are unavailable', 'error'); w.cnn = { error: 'no timestamp-query' }; return; }
  w.cnn = {
    // The headless runner sends --kernels/--autotune as `selection`.
    bench: (r: BenchRequest & { selection?: SelectionConfig }) => { ctx.select.configure(r.selection ?? {}); return runBench(ctx, { ...r, size: checkSize(r.size) }); },
    profile: async (r: ModelRef & { batch: number; steps: number; selection?: SelectionConfig }) => {
      ctx.select.configure(r.selection ?? {});
      const p = await stepProfile(ctx, r, r.batch, r.steps);
      showStep(p);
      return p;
    },
    wall: async (r: ModelRef & { batch: number; steps: number }) => ({ adapter: ctx.describe(), ...(await wall(ctx, r, r.batch, r.steps)) }),
    peer: (r: { model: string; batch: number; steps: number; backends: string[] }) => peer(ctx, r),
    report: () => exportReport(ctx),
    selftest: (filter?: string[]) => validate(filter),
  };
  let busy = false;
  const exclusive = (job: () => Promise<unknown>) => {
    if (busy) return;
    busy = true;
    Promise.resolve().then(job).catch((e: Error) => setStatus(`error: ${e.message}`, 'error')).finally(() => { busy = false; });
  };
  $('run').addEventListener('click', () => exclusive(() => runBench(ctx, formRequest())));
  $('peer-run').addEventListener('click', () => exclusive(() => {
    const f = new FormData($<HTMLFormElement>('form'));
    const backends = new FormData($<HTMLFormElement>('peer-form')).getAll('backend').map(String);
    return peer(ctx, { model: String(f.get('model')), batch: Number(f.get('batch')), steps: Number(f.get('steps')), backends });
  }));
  $('json').addEventListener('click', () => exclusive(async () => download(JSON.stringify(await exportReport(ctx), null, 1), 'webgpu-cnn-bench.json', 'application/json')));
  $('trace').addEventListener('click', () => last && download(JSON.stringify(chromeTrace(last.step, 'browser')), 'webgpu-cnn-step.trace.json', 'application/json'));
  setStatus('ready');
}

void main();

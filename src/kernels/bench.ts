// Times every bench case with timestamp-query: warm-up runs first, then the median of many
// runs; each run is one submit and its spans are summed (a case may be several passes).
import type { GpuContext } from '../gpu/context.js';
import { run } from '../gpu/dispatch.js';
import type { Tensor } from '../gpu/buffers.js';
import { buildCases, type BenchSize } from './bench_cases.js';
import type { Ceilings } from './ceiling.js';

export interface KernelResult {
  kernel: string;
  passes: number;
  medianUs: number;
  minUs: number;
  runs: number;
  flops: number;
  bytes: number;
}

export interface BenchOptions { reps?: number; warmup?: number; filter?: (kernel: string) => boolean; onResult?: (r: KernelResult) => void }

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

export async function benchKernels(ctx: GpuContext, size: BenchSize, opts: BenchOptions = {}): Promise<{ results: KernelResult[]; dropped: number }> {
  const prof = ctx.profiler;
  if (!prof) throw new Error(`${ctx.describe()}: no timestamp-query, so no per-kernel times`);
  const reps = opts.reps ?? 20, warmup = opts.warmup ?? 2;
  const tensors: Tensor[] = [];
  const cases = (await buildCases(ctx, size, tensors)).filter((c) => opts.filter?.(c.kernel) ?? true);
  const dropped0 = prof.dropped;
  const results: KernelResult[] = [];
  for (const c of cases) {
    const times: number[] = [];
    for (let i = 0; i < warmup + reps; i++) {
      await run(ctx, c.dispatches);
      const spans = await prof.collect();
      // A run with a dropped span is not a whole measurement of the case.
      if (i >= warmup && spans.length === c.dispatches.length) times.push(spans.reduce((t, sp) => t + sp.ns, 0) / 1e3);
    }
    const r: KernelResult = {
      kernel: c.kernel, passes: c.dispatches.length, runs: times.length,
      medianUs: times.length ? median(times) : NaN, minUs: times.length ? Math.min(...times) : NaN,
      flops: c.dispatches.reduce((t, d) => t + d.flops, 0), bytes: c.dispatches.reduce((t, d) => t + d.bytes, 0),
    };
    results.push(r);
    opts.onResult?.(r);
  }
  for (const t of tensors) t.buffer.destroy();
  return { results, dropped: prof.dropped - dropped0 };
}

/** The table; with ceilings, each rate also as a share of the adapter's measured best. */
export function formatKernels(results: KernelResult[], header: string, c?: Ceilings): string {
  const rate = (x: number, us: number) => (us > 0 ? x / us / 1e3 : NaN);
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '-');
  const pct = (v: number, top: number) => (Number.isFinite(v) ? `${((100 * v) / top).toFixed(1)}%` : '-');
  const extra = c ? ' % of matmul ceiling | % of copy ceiling |' : '';
  return [header, '', `| kernel | passes | median µs | min µs | runs | GFLOP/s | GB/s |${extra}`, `|---|---:|---:|---:|---:|---:|---:|${c ? '---:|---:|' : ''}`,
    ...results.map((r) => {
      const g = rate(r.flops, r.medianUs), b = rate(r.bytes, r.medianUs);
      return `| ${r.kernel} | ${r.passes} | ${r.medianUs.toFixed(1)} | ${r.minUs.toFixed(1)} | ${r.runs} | ${f(g)} | ${f(b)} |${c ? ` ${pct(g, c.matmulGFLOPs)} | ${pct(b, c.copyGBs)} |` : ''}`;
    })].join('\n');
}

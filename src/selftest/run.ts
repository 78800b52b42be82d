// selftest: does this engine work on this adapter? Every registered version of every kernel family
// over its shared case grid (the vitest kernel tests run the same checks), then one training step
// of each preset, all against the float64 references. Runtime-neutral: the Node CLI and the
// benchmark page both call runSelftest with a line printer.
import type { GpuContext } from '../gpu/context.js';
import { FAMILIES } from '../kernels/registry.js';
import type { ModelSpec } from '../nn/model.js';
import { PRESETS } from '../nn/presets.js';
import { conv2dChecks } from '../kernels/conv2d/check.js';
import { matmulChecks } from '../kernels/matmul/check.js';
import { avgPool2dChecks, maxPool2dChecks } from '../kernels/pool2d/check.js';
import { biasChecks } from '../kernels/bias/check.js';
import { reluChecks } from '../kernels/activation/check.js';
import { elementwiseChecks } from '../kernels/elementwise/check.js';
import { reduceChecks } from '../kernels/reduce/check.js';
import { softmaxXentChecks } from '../kernels/softmax_xent/check.js';
import { metricsChecks } from '../kernels/metrics/check.js';
import { dropoutChecks } from '../kernels/dropout/check.js';
import { optimChecks } from '../kernels/optim/check.js';
import { dataChecks } from '../kernels/data/check.js';
import { batchNormChecks } from '../kernels/batchnorm/check.js';
import { formatFailures, type Failure } from './compare.js';
import { CaseIO, type Case } from './io.js';
import { checkTrainStep } from './step.js';

/** Each family's checks, by family name; a family missing here fails selftest rather than vanish from it. */
export const KERNEL_CHECKS: Readonly<Record<string, () => Case[]>> = {
  conv2d: conv2dChecks, matmul: matmulChecks, maxpool2d: maxPool2dChecks, avgpool2d: avgPool2dChecks, bias: biasChecks,
  relu: reluChecks, elementwise: elementwiseChecks, reduce: reduceChecks, softmax_xent: softmaxXentChecks,
  metrics: metricsChecks, dropout: dropoutChecks, optim: optimChecks, data: dataChecks, batchnorm: batchNormChecks,
};

/** The batch of the preset steps: small enough for the float64 references, more than one image. */
export const STEP_BATCH = 4;

/**
 * A small model of every layer type the presets lack (batch norm 2d and 1d with their running
 * statistics, a ReLU a max pool absorbs, a global average pool), stepped with label smoothing.
 */
export const BN_STEP_SPEC: ModelSpec = {
  name: 'bn', input: [1, 10, 10], classes: 10,
  layers: [{ type: 'conv2d', in: 1, out: 4, kernel: 3, padding: 1 }, { type: 'batchnorm2d' }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
    { type: 'conv2d', in: 4, out: 8, kernel: 3 }, { type: 'batchnorm2d', momentum: 0.3 }, { type: 'relu' }, { type: 'globalavgpool2d' },
    { type: 'linear', in: 8, out: 16 }, { type: 'batchnorm1d' }, { type: 'relu' }, { type: 'linear', in: 16, out: 10 }],
};

/** Each preset's step, then the batch-norm model's. */
const STEPS: Array<{ spec: ModelSpec; smoothing: number }> = [...Object.values(PRESETS).map((spec) => ({ spec, smoothing: 0 })), { spec: BN_STEP_SPEC, smoothing: 0.1 }];

export const stepCases = (batch = STEP_BATCH): Case[] => STEPS.map(({ spec, smoothing }) => ({
  group: 'step', name: spec.name, shape: `batch ${batch}, one SGD step${smoothing ? `, label smoothing ${smoothing}` : ''}, layer by layer`,
  run: (io) => checkTrainStep(io, spec, { batch, smoothing }),
}));

/** What --filter takes: family names, `step` (every step) and the steps' model names. */
export const selftestGroups = () => [...FAMILIES.map((f) => f.name), 'step', ...STEPS.map((s) => s.spec.name)];

/** The cases of `filter` (all when empty), in registry order, then the steps. */
export function selftestCases(filter: readonly string[] = []): Case[] {
  const known = selftestGroups();
  const bad = filter.filter((f) => !known.includes(f));
  if (bad.length) throw new Error(`unknown selftest group '${bad[0]}' (groups: ${known.join(', ')})`);
  const want = (name: string) => !filter.length || filter.includes(name);
  const missing = (name: string): Case[] => [{ group: name, name: '-', shape: '-', run: async () => [{ what: 'checks', message: `family '${name}' has no selftest checks (src/selftest/run.ts)` }] }];
  const kernels = FAMILIES.filter((f) => want(f.name)).flatMap((f) => KERNEL_CHECKS[f.name]?.() ?? missing(f.name));
  return [...kernels, ...stepCases().filter((c) => want('step') || want(c.name))];
}

/** The adapter and every limit it reports, a few per line. */
export function describeAdapter(ctx: GpuContext): string[] {
  const l = ctx.limits as unknown as Record<string, number>;
  const names: string[] = [];
  for (const k in l) if (typeof l[k] === 'number') names.push(k);
  const pairs = names.sort().map((k) => `${k} ${l[k]}`);
  const lines = [`adapter: ${ctx.describe()}; features: ${[...ctx.device.features].sort().join(', ') || 'none'}`, 'limits:'];
  for (let i = 0; i < pairs.length; i += 4) lines.push(`  ${pairs.slice(i, i + 4).join(', ')}`);
  return lines;
}

export interface SelftestReport { passed: number; failed: number; seconds: number }

export interface SelftestOptions {
  /** Where the lines go (stdout, the page). */
  log: (line: string) => void;
  /** Only failing cases and the last line (the adapter line stays). */
  quiet?: boolean;
}

const ERROR_FILTERS: GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

/** Runs one case; a WebGPU error raised inside it, or a throw, is a failure too. */
async function runCase(ctx: GpuContext, c: Case): Promise<Failure[]> {
  const io = new CaseIO(ctx);
  for (const f of ERROR_FILTERS) ctx.device.pushErrorScope(f);
  let out: Failure[];
  try {
    out = await c.run(io);
  } catch (e) {
    out = [{ what: 'error', message: (e as Error).message.split('\n')[0] }];
  } finally {
    io.destroy();
  }
  for (let i = ERROR_FILTERS.length - 1; i >= 0; i--) {
    const err = await ctx.device.popErrorScope();
    if (err) out.push({ what: `WebGPU ${ERROR_FILTERS[i]} error`, message: err.message.split('\n')[0] });
  }
  return out;
}

export const failLine = (c: Case, fs: readonly Failure[]) => `FAIL ${c.group} ${c.name} ${c.shape}: ${formatFailures(fs)}`;

/** Every case, one line per failing case, a line per group unless quiet, and last `N passed, M failed`. */
export async function runSelftest(ctx: GpuContext, cases: readonly Case[], opts: SelftestOptions): Promise<SelftestReport> {
  const t0 = performance.now();
  const lines = describeAdapter(ctx);
  opts.log(lines[0]);
  if (!opts.quiet) lines.slice(1).forEach((l) => opts.log(l));
  const device = { lost: null as string | null };
  void ctx.lost.then((m) => { device.lost = m; });
  let passed = 0, failed = 0;
  for (let i = 0; i < cases.length;) {
    const group = cases[i].group, g0 = performance.now();
    let gp = 0, gf = 0;
    for (; i < cases.length && cases[i].group === group; i++) {
      const fs = device.lost ? [{ what: 'device', message: device.lost }] : await runCase(ctx, cases[i]);
      if (fs.length) { gf++; opts.log(failLine(cases[i], fs)); } else gp++;
    }
    passed += gp; failed += gf;
    if (!opts.quiet) opts.log(`${group.padEnd(13)} ${String(gp + gf).padStart(4)} cases, ${gf ? `${gf} FAILED` : 'all passed'} (${((performance.now() - g0) / 1000).toFixed(1)} s)`);
  }
  opts.log(`${passed} passed, ${failed} failed`);
  return { passed, failed, seconds: (performance.now() - t0) / 1000 };
}

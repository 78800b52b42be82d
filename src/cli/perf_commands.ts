// `profile` (one training step, per dispatch) and `bench` (every kernel version, then the step),
// in the Node runtime (Dawn) or the browser runtime (the bench page in headless Chromium).
import { createNodeContext } from '../gpu/node.js';
import { writeAtomic } from '../data/mnist.js';
import type { ModelSpec } from '../nn/model.js';
import { modelArg } from './model_arg.js';
import { BENCH_SIZES, checkSize, type BenchSize } from '../kernels/bench_cases.js';
import { benchKernels, formatKernels, type KernelResult } from '../kernels/bench.js';
import { formatCeilings, measureCeilings, type Ceilings } from '../kernels/ceiling.js';
import { chromeTrace, formatProfile, profileStep, wallClock, type StepProfile } from '../train/profile.js';
import { openPage, type BrowserPage } from './runtime.js';
import { UsageError } from './args.js';
import { robustnessFromFlags, selectionConfig, selectionFromFlags } from './selection.js';
import { checkOutputs } from './outputs.js';

type Flags = Record<string, string | number | boolean>;

/** `spec`: the architecture, a preset's or a file's (the pages take it as is). */
interface StepArgs { model: string; spec: ModelSpec; batch: number; steps: number }

function stepArgs(f: Flags, steps: number): StepArgs {
  const { spec } = modelArg(String(f.model ?? 'lenet'));
  const a = { model: spec.name, spec, batch: Number(f.batch ?? 64), steps: Number(f.steps ?? steps) };
  for (const k of ['batch', 'steps'] as const) if (!Number.isInteger(a[k]) || a[k] < 1) throw new UsageError(`--${k} must be a positive integer`);
  return a;
}

function runtimeOf(f: Flags): 'node' | 'browser' {
  const r = String(f.runtime ?? 'node');
  if (r !== 'node' && r !== 'browser') throw new UsageError(`--runtime must be node or browser, got '${r}'`);
  return r;
}

async function benchPage(f: Flags): Promise<BrowserPage> {
  const page = await openPage('bench.html', { chromium: f.chromium === undefined ? undefined : String(f.chromium), onConsoleError: (t) => process.stderr.write(`page: ${t}\n`) });
  process.stderr.write(`runtime: browser, ${page.chromium} (Chromium ${page.version}, headless)\n`);
  return page;
}

async function nodeStep(a: StepArgs, f: Flags): Promise<StepProfile> {
  // One policy for both contexts: the wall-clock run reuses the profiled run's choices.
  const selection = selectionFromFlags(f), robustness = robustnessFromFlags(f);
  const ctx = await createNodeContext({ profile: true, selection, robustness });
  process.stderr.write(`runtime: node (Dawn), adapter: ${ctx.describe()}\n`);
  try {
    const p = await profileStep(ctx, a.spec, a.batch, a.steps);
    const plain = await createNodeContext({ selection, robustness });
    p.wall = await wallClock(plain, a.spec, a.batch, a.steps);
    plain.destroy();
    return p;
  } finally {
    ctx.destroy();
  }
}

function writeOut(f: Flags, key: string, what: string, data: string): void {
  if (f[key] === undefined) return;
  writeAtomic(String(f[key]), data);
  process.stdout.write(`wrote ${what} to ${f[key]}\n`);
}

/** A bad --json or --trace path fails now, not after the measurements. */
const checkFiles = (f: Flags) => checkOutputs(['json', 'trace'].filter((k) => f[k] !== undefined).map((k) => [`--${k}`, String(f[k])]));

export async function profileCommand(f: Flags): Promise<void> {
  checkFiles(f);
  const a = stepArgs(f, 5), runtime = runtimeOf(f);
  let p: StepProfile;
  if (runtime === 'browser') {
    const page = await benchPage(f);
    try { p = await page.call<StepProfile>('profile', { ...a, selection: selectionConfig(f) }); } finally { await page.close(); }
  } else p = await nodeStep(a, f);
  process.stdout.write(`${formatProfile(p)}\n`);
  writeOut(f, 'trace', 'a Chrome/Perfetto trace of the last profiled step', JSON.stringify(chromeTrace(p, runtime)));
}

function benchSize(f: Flags): BenchSize {
  const name = String(f.size ?? 'mnist');
  const s = BENCH_SIZES[name];
  if (!s) throw new UsageError(`--size must be one of ${Object.keys(BENCH_SIZES).join(', ')}, got '${name}'`);
  return checkSize({ ...s });
}

export async function benchCommand(f: Flags): Promise<void> {
  checkFiles(f);
  const a = stepArgs(f, 5), runtime = runtimeOf(f), size = benchSize(f), reps = Number(f.reps ?? 20);
  if (!Number.isInteger(reps) || reps < 1) throw new UsageError('--reps must be a positive integer');
  let kernels: KernelResult[], dropped: number, step: StepProfile, adapter: string, ceilings: Ceilings;
  if (runtime === 'browser') {
    const page = await benchPage(f);
    try {
      const r = await page.call<{ adapter: string; kernels: KernelResult[]; dropped: number; step: StepProfile; ceilings: Ceilings }>('bench', { size, reps, ...a, selection: selectionConfig(f) });
      ({ kernels, dropped, step, adapter, ceilings } = r);
    } finally { await page.close(); }
  } else {
    const ctx = await createNodeContext({ profile: true, selection: selectionFromFlags(f), robustness: robustnessFromFlags(f) });
    adapter = ctx.describe();
    process.stderr.write(`runtime: node (Dawn), adapter: ${adapter}\n`);
    try {
      ceilings = await measureCeilings(ctx);
      ({ results: kernels, dropped } = await benchKernels(ctx, size, { reps }));
    } finally { ctx.destroy(); }
    step = await nodeStep(a, f);
  }
  const sz = `conv x [${size.N},${size.C},${size.H},${size.W}] w [${size.K},${size.C},${size.k},${size.k}]; matmul ${size.M}x${size.Kd}x${size.Nm}; n ${size.n}`;
  process.stdout.write(`${formatCeilings(ceilings)}\n\n${formatKernels(kernels, `kernels (${runtime}), ${adapter}; ${sz}; median of ${reps} runs; ${dropped} spans dropped`, ceilings)}\n\n${formatProfile(step)}\n`);
  writeOut(f, 'json', 'the results', JSON.stringify({ runtime, adapter, size, reps, ceilings, kernels, dropped, step }, null, 1));
  writeOut(f, 'trace', 'a Chrome/Perfetto trace of the last profiled step', JSON.stringify(chromeTrace(step, runtime)));
}

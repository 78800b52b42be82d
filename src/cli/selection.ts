// Kernel selection from the command line: --kernels family=version,... and --autotune on|off
// build the context's SelectionPolicy (autotune results cached in a JSON file); --robustness
// on|off (else WEBGPU_CNN_ROBUSTNESS, else off) sets Dawn's robustness in Node; `kernels`
// prints, for the adapter in use, every family's versions and the choice at each shape the
// presets train with, why it was made and the measured times.
import { createNodeContext } from '../gpu/node.js';
import { FAMILIES } from '../kernels/registry.js';
import { parseKernelsFlag, SelectionPolicy, type Decision, type SelectionConfig } from '../kernels/select.js';
import { PRESETS } from '../nn/presets.js';
import { buildStep } from '../train/profile.js';
import { fileStore } from './autotune_cache.js';
import { UsageError } from './args.js';
import { modelArg } from './model_arg.js';

type Flags = Record<string, string | number | boolean>;

/** The flags every GPU command takes. */
export const SELECTION_FLAGS = { kernels: 'string', autotune: 'string', robustness: 'string' } as const;

/**
 * Dawn's robustness (clamping every storage access) for a Node context: --robustness, else the
 * WEBGPU_CNN_ROBUSTNESS environment variable (for CI), else off. The browser runtime's Chromium
 * keeps its own setting, so the flag is refused there rather than ignored.
 */
export function robustnessFromFlags(f: Flags, env: NodeJS.ProcessEnv = process.env): boolean {
  const given = f.robustness !== undefined;
  if (given && f.runtime === 'browser') throw new UsageError('--robustness applies to the Node runtime; Chromium keeps its own setting');
  const v = given ? String(f.robustness) : env.WEBGPU_CNN_ROBUSTNESS ?? 'off';
  if (v !== 'on' && v !== 'off') throw new UsageError(`${given ? '--robustness' : 'WEBGPU_CNN_ROBUSTNESS'} must be on or off, got '${v}'`);
  return v === 'on';
}

export function selectionFromFlags(f: Flags, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): SelectionPolicy {
  const a = String(f.autotune ?? 'on');
  if (a !== 'on' && a !== 'off') throw new UsageError(`--autotune must be on or off, got '${a}'`);
  let forced: Record<string, string> = {};
  try { forced = f.kernels === undefined ? {} : parseKernelsFlag(String(f.kernels), FAMILIES); } catch (e) { throw new UsageError((e as Error).message); }
  return new SelectionPolicy({ forced, autotune: a === 'on', store: fileStore(), onProgress: f.quiet ? undefined : log });
}

/** What the browser runtime sends the pages: the same forced versions and autotune switch. */
export function selectionConfig(f: Flags): SelectionConfig {
  const p = selectionFromFlags(f);
  return { forced: { ...p.forced }, autotune: p.autotune };
}

const ms = (t: number) => (t >= 1 ? `${t.toFixed(2)} ms` : `${(t * 1000).toFixed(0)} µs`);

export function formatDecision(d: Decision): string {
  const times = Object.entries(d.times).map(([v, t]) => `${v} ${ms(t)}`).join(', ');
  const unfit = Object.entries(d.unfit).map(([v, r]) => `${v} unfit: ${r}`).join('; ');
  const untimed = d.untimed?.length ? `${d.untimed.join(', ')} not timed (autotune budget spent)` : '';
  return `  ${d.family.padEnd(12)} ${d.shape.padEnd(44)} ${d.version.padEnd(3)} ${d.why.padEnd(14)} ${[times, untimed, unfit].filter(Boolean).join('; ')}`;
}

export async function kernelsCommand(f: Flags): Promise<void> {
  const models = String(f.model ?? Object.keys(PRESETS).join(',')).split(',').map((m) => modelArg(m).spec);
  const batch = Number(f.batch ?? 64);
  if (!Number.isInteger(batch) || batch < 1) throw new UsageError('--batch must be a positive integer');
  const policy = selectionFromFlags(f);
  const ctx = await createNodeContext({ selection: policy, robustness: robustnessFromFlags(f) });
  try {
    const out = [`adapter: ${ctx.describe()}; timestamps: ${ctx.hasTimestamps ? 'timestamp-query' : 'wall clock'}`,
      `selection: ${Object.keys(policy.forced).length ? `forced ${JSON.stringify(policy.forced)}, ` : ''}autotune ${policy.autotune ? `on, cache ${policy.store.where}` : 'off (built-in order)'}`, '', 'families:'];
    for (const fam of FAMILIES) out.push(`  ${fam.name.padEnd(12)} ${fam.versions.map((v) => `${v.name} ${v.summary}`).join(' | ')}`);
    process.stdout.write(`${out.join('\n')}\n`);
    for (const spec of models) {
      const before = policy.decisions.length, t0 = performance.now();
      const step = await buildStep(ctx, spec, batch);
      step.destroy();
      const took = (performance.now() - t0) / 1000;
      const seen = new Set<string>();
      const mine = policy.decisions.slice(before).filter((d) => !seen.has(`${d.family} ${d.shape}`) && Boolean(seen.add(`${d.family} ${d.shape}`)));
      process.stdout.write(`\n${spec.name}, batch ${batch} (training step; chosen in ${took.toFixed(1)} s):\n${mine.map(formatDecision).join('\n')}\n`);
    }
  } finally {
    ctx.destroy();
  }
}

// `webgpu-cnn selftest`: every kernel version and one training step of each preset against the
// float64 references on the adapter in use (src/selftest/run.ts). Exit 5 when any case fails.
import { createNodeContext } from '../gpu/node.js';
import { runSelftest, selftestCases } from '../selftest/run.js';
import { UsageError, type Flags } from './args.js';
import { selectionFromFlags } from './selection.js';
import { EXIT } from './usage.js';

export async function selftestCommand(f: Flags): Promise<number> {
  let cases;
  try {
    cases = selftestCases(f.filter === undefined ? [] : String(f.filter).split(',').map((s) => s.trim()).filter(Boolean));
  } catch (e) { throw new UsageError((e as Error).message); }
  // The steps take the built-in order unless --autotune on or --kernels says otherwise: no timing runs.
  const ctx = await createNodeContext({ selection: selectionFromFlags({ autotune: 'off', ...f }) });
  try {
    const r = await runSelftest(ctx, cases, { log: (l) => process.stdout.write(`${l}\n`), quiet: Boolean(f.quiet) });
    return r.failed ? EXIT.selftest : EXIT.ok;
  } finally {
    ctx.destroy();
  }
}

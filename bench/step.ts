// Per-kernel profile of one training step (forward, backward, optimizer) with timestamp-query,
// plus wall-clock ms/step and images/s for whole steps submitted back to back.
// Usage: npm run bench:step -- [--model lenet|keras|cnn] [--batch 64] [--steps 10]
import { createNodeContext } from '../src/gpu/node.js';
import { PRESETS } from '../src/nn/presets.js';
import { formatProfile, profileStep, wallClock } from '../src/train/profile.js';
import { parseArgs } from '../src/cli/args.js';

const { flags } = parseArgs(process.argv.slice(2), { model: 'string', batch: 'number', steps: 'number' });
const name = String(flags.model ?? 'lenet'), B = Number(flags.batch ?? 64), steps = Number(flags.steps ?? 10);
const spec = PRESETS[name];
if (!spec) throw new Error(`unknown model ${name}`);

async function main(): Promise<void> {
  const ctx = await createNodeContext({ profile: true });
  const p = await profileStep(ctx, spec, B, steps);
  ctx.destroy();
  const plain = await createNodeContext();
  p.wall = await wallClock(plain, spec, B, steps);
  plain.destroy();
  console.log(formatProfile(p));
}

main().then(() => process.exit(0), (e: Error) => { console.error(`error: ${e.message}`); process.exit(1); });

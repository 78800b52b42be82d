// GPU memory and buffer creation over a long run of the real trainer (synthetic data, so only
// the engine is measured). Steady state must create no buffers and keep live bytes flat.
// Usage: npm run bench:memory -- [--model lenet] [--batch 8] [--steps 10000] [--epoch-steps 1000]
import { createNodeContext } from '../src/gpu/node.js';
import { train } from '../src/train/trainer.js';
import { parseArgs } from '../src/cli/args.js';
import type { ImageSet } from '../src/data/idx.js';

const { flags } = parseArgs(process.argv.slice(2), { model: 'string', batch: 'number', steps: 'number', 'epoch-steps': 'number' });
const model = String(flags.model ?? 'lenet'), batch = Number(flags.batch ?? 8), steps = Number(flags.steps ?? 10000), per = Number(flags['epoch-steps'] ?? 1000);

const images = (n: number, seed: number): ImageSet => ({
  count: n, rows: 28, cols: 28, classes: 10,
  images: new Uint8Array(n * 784).map((_, i) => (Math.imul(i + seed, 2654435761) >>> 24) & 0xff),
  labels: new Uint8Array(n).map((_, i) => (i * 7 + seed) % 10),
});

async function main(): Promise<void> {
  const ctx = await createNodeContext();
  const m = ctx.memory;
  const rows: string[] = [];
  let created = 0, t0 = performance.now();
  const epochs = Math.ceil(steps / per);
  console.log(`${model}, batch ${batch}, ${epochs} x ${per} steps, Adam, loss read every 50 steps, test accuracy every ${per} steps; ${ctx.describe()}`);
  await train(ctx, { source: 'synthetic', train: images(batch * per, 1), test: images(200, 2) }, {
    model, epochs, batch, seed: 1, augment: false, logEvery: 50,
    optimizer: { type: 'adam', lr: 1e-3 }, schedule: { kind: 'cosine', warmup: 0 },
  }, {
    onEpoch: (r) => {
      const ms = (performance.now() - t0) / per;
      rows.push(`| ${r.epoch * per} | ${m.liveBuffers} | ${(m.liveBytes / 2 ** 20).toFixed(2)} | ${m.created - created} | ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} | ${ms.toFixed(1)} |`);
      console.log(rows.at(-1));
      created = m.created;
      t0 = performance.now();
    },
  });
  console.log(['', '| steps | live GPU buffers | live GPU MiB | buffers created in these steps | process RSS MiB | ms/step |', '|---:|---:|---:|---:|---:|---:|', ...rows].join('\n'));
  ctx.destroy();
}

main().then(() => process.exit(0), (e: Error) => { console.error(`error: ${e.message}`); process.exit(1); });

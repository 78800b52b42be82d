// GPU memory and buffer creation over a long run of the real trainer (synthetic data, so only
// the engine is measured). Steady state must create no buffers and keep live bytes flat.
// Usage: npm run bench:memory -- [--model lenet] [--batch 8] [--steps 10000] [--epoch-steps 1000]
// With --graphs: the GPU bytes each model's graphs hold (training at --batch, default 64, and
// evaluation at its evalBatch, or --eval-batch), built once each with the built-in kernel order;
// the last column is the part in the graph's shared scratch arena (backward region in a training
// graph, forward region in an evaluation graph).
import { createNodeContext } from '../src/gpu/node.js';
import { train } from '../src/train/trainer.js';
import { parseArgs } from '../src/cli/args.js';
import type { ImageSet } from '../src/data/idx.js';
import type { GpuContext } from '../src/gpu/context.js';
import { createTensor } from '../src/gpu/buffers.js';
import { evalBatch, Sequential } from '../src/nn/model.js';
import { PRESETS } from '../src/nn/presets.js';
import { SelectionPolicy } from '../src/kernels/select.js';
import { EvalStep, TrainStep } from '../src/train/step.js';

const { flags } = parseArgs(process.argv.slice(2), { model: 'string', batch: 'number', steps: 'number', 'epoch-steps': 'number', graphs: 'boolean', 'eval-batch': 'number' });
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

const MiB = (b: number) => (b / 2 ** 20).toFixed(1);

/** Live GPU bytes and buffers a graph adds: the model's parameters and the input batch are outside it. */
async function graphBytes(ctx: GpuContext, model: Sequential, batch: number, training: boolean) {
  const m = ctx.memory;
  const x = createTensor(ctx.device, [batch, ...model.spec.input]), labels = createTensor(ctx.device, [batch], 'u32');
  const before = { bytes: m.liveBytes, buffers: m.liveBuffers };
  const step = training ? await TrainStep.build(ctx, model, x, labels, null) : await EvalStep.build(ctx, model, x, labels);
  const sc = step.graph.scratch;
  const out = { bytes: m.liveBytes - before.bytes, buffers: m.liveBuffers - before.buffers, largest: Math.max(...step.graph.tensors.map((t) => t.buffer.size)), scratch: sc.bytes(training ? 'backward' : 'forward'), lanes: sc.buffers(training ? 'backward' : 'forward').length };
  step.destroy();
  x.buffer.destroy(); labels.buffer.destroy();
  return out;
}

async function graphs(): Promise<void> {
  const ctx = await createNodeContext({ selection: new SelectionPolicy({ autotune: false }) });
  const B = Number(flags.batch ?? 64);
  console.log(`GPU bytes held by each graph (built-in kernel order); ${ctx.describe()}`);
  const rows = ['| model | graph | batch | live GPU MiB | buffers | largest buffer MiB | shared scratch MiB (buffers) |', '|---|---|---:|---:|---:|---:|---:|'];
  for (const name of flags.model ? [String(flags.model)] : ['lenet', 'keras', 'cnn']) {
    const model = new Sequential(PRESETS[name]);
    model.store.materialize(ctx, model.store.initialValues(1), 0);
    for (const [kind, batch] of [['training', B], ['evaluation', Number(flags['eval-batch'] ?? evalBatch(model.spec))]] as const) {
      const r = await graphBytes(ctx, model, batch, kind === 'training');
      rows.push(`| ${name} | ${kind} | ${batch} | ${MiB(r.bytes)} | ${r.buffers} | ${MiB(r.largest)} | ${MiB(r.scratch)} (${r.lanes}) |`);
      console.log(rows.at(-1));
    }
    model.store.destroy();
  }
  console.log(['', ...rows].join('\n'));
  ctx.destroy();
}

(flags.graphs ? graphs() : main()).then(() => process.exit(0), (e: Error) => { console.error(`error: ${e.message}`); process.exit(1); });

// On a profiling context every dispatch gets its own timed pass, and its spans wait in the
// profiler's query set until a resolve. Each run of an evaluation (or training) step resolves its
// own spans, so hundreds of runs that nobody collects (evaluation on a profiling context) neither
// fill the query set ('more than N dispatches before resolve()') nor trip over the previous run's
// uncollected results; a collect() afterwards returns the last run's spans.
import { describe, expect, it } from 'vitest';
import { nodeContext } from '../helpers/gpu.js';
import { uploadTensor, type Tensor } from '../../src/gpu/buffers.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { Sequential } from '../../src/nn/model.js';
import { createOptimizer } from '../../src/optim/optimizer.js';
import { EvalStep, TrainStep } from '../../src/train/step.js';
import { randomInts, uniform } from '../../src/util/rng.js';
import { TINY } from '../helpers/samples.js';

const RUNS = 300;

/** A tiny model on a fresh profiling context; `body` runs a step RUNS times and says how many dispatches a run has. */
async function profiled(body: (ctx: GpuContext, x: Tensor, y: Tensor, model: Sequential) => Promise<{ dispatches: number }>) {
  const ctx = await nodeContext({ profile: true });
  try {
    if (!ctx.profiler) throw new Error(`adapter ${ctx.describe()} has no timestamp-query: the profiler cannot be tested here`);
    const model = new Sequential(TINY);
    model.store.materialize(ctx, model.store.initialValues(1));
    const [c, h, w] = TINY.input, B = 2;
    const x = uploadTensor(ctx.device, uniform(B * c * h * w, 1), [B, c, h, w]);
    const y = uploadTensor(ctx.device, randomInts(B, 2, TINY.classes), [B]);
    const dropped = ctx.profiler.dropped;
    const { dispatches } = await body(ctx, x, y, model);
    // More runs than the query set holds spans, had they not been resolved every run.
    expect(RUNS * dispatches).toBeGreaterThan(2048);
    const spans = await ctx.profiler.collect();
    expect(spans.length + ctx.profiler.dropped - dropped).toBe(dispatches);
  } finally {
    ctx.destroy();
  }
}

describe('steps on a profiling context', () => {
  it(`EvalStep.run ${RUNS} times without a collect()`, async () => {
    await profiled(async (ctx, x, y, model) => {
      const step = await EvalStep.build(ctx, model, x, y);
      for (let i = 0; i < RUNS; i++) step.run();
      await ctx.queue.onSubmittedWorkDone();
      step.destroy();
      return { dispatches: step.dispatches.filter((d) => d.grid[0] > 0).length };
    });
  });

  it(`TrainStep.run ${RUNS} times without a collect()`, async () => {
    await profiled(async (ctx, x, y, model) => {
      const step = await TrainStep.build(ctx, model, x, y, await createOptimizer(ctx, model.store, { type: 'sgd', lr: 0.01, momentum: 0 }));
      for (let i = 0; i < RUNS; i++) {
        step.prepare(i + 1, 0.01, 1);
        step.run();
      }
      await ctx.queue.onSubmittedWorkDone();
      step.destroy();
      return { dispatches: step.dispatches.filter((d) => d.grid[0] > 0).length };
    });
  });
});

// tinygrad's helper_test_op for this engine: build a Graph around one autograd op, seed the
// output gradient with seeded values, run forward and backward on the GPU, and compare the
// output and every input gradient with float64 references. Outputs and gradients are
// poisoned first, so an element nobody writes fails.
import { Graph, type Var } from '../../src/autograd/graph.js';
import { poison, readTensor, uploadTensor, writeTensor } from '../../src/gpu/buffers.js';
import { run } from '../../src/gpu/dispatch.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { uniform } from '../../src/util/rng.js';
import { expectClose, FWD, GRAD } from './check.js';

export interface GraphOpInput { shape: number[]; grad?: boolean }

export interface GraphOpCase {
  inputs: GraphOpInput[];
  build(g: Graph, vars: Var[]): Promise<Var>;
  /** The float64 output, and each input's gradient given the output gradient dy (null: no gradient). */
  ref(x: Float32Array[], dy: Float32Array): { y: ArrayLike<number>; grads: Array<ArrayLike<number> | null> };
  /** Scales atol for long sums (e.g. sqrt of the reduction length). */
  atolScale?: number;
  seed?: number;
}

export async function checkGraphOp(ctx: GpuContext, c: GraphOpCase): Promise<void> {
  const g = new Graph(ctx);
  let seed = c.seed ?? 1;
  const xs = c.inputs.map((i) => uniform(i.shape.reduce((a, b) => a * b, 1), seed++));
  const vars = c.inputs.map((i, k) => g.input(uploadTensor(ctx.device, xs[k], i.shape), Boolean(i.grad)));
  try {
    const out = await c.build(g, vars);
    const dy = uniform(out.shape.reduce((a, b) => a * b, 1), seed++);
    writeTensor(ctx.device, g.gradOf(out), dy);
    g.seeded(out);
    const grads = vars.map((v) => (v.requiresGrad ? g.gradOf(v) : null));
    for (const t of grads) if (t) poison(ctx.device, t);
    poison(ctx.device, out.t);
    await g.backward(out);
    await run(ctx, [...g.forward, ...g.backwardList]);
    const want = c.ref(xs, dy);
    const s = c.atolScale ?? 1;
    expectClose('forward', await readTensor(ctx.device, out.t), want.y, FWD.atol * s, FWD.rtol);
    for (const [k, t] of grads.entries()) {
      const w = want.grads[k];
      if (!t) continue;
      if (!w) throw new Error(`input ${k} requires a gradient but the reference gives none`);
      expectClose(`gradient of input ${k}`, await readTensor(ctx.device, t), w, GRAD.atol * s, GRAD.rtol);
    }
  } finally {
    g.destroy();
    for (const v of vars) v.t.buffer.destroy();
  }
}

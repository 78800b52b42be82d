// tinygrad's helper_test_op for this engine: build a Graph around one autograd op, seed the
// output gradient with seeded values, run forward and backward on the GPU, and compare the
// output and every input gradient with float64 references. The output, every intermediate
// result and every gradient (the inputs' and the intermediates') are poisoned first, so an
// element nobody writes, or a gradient read before anything wrote it, fails.
import { expect } from 'vitest';
import { Graph, type Var } from '../../src/autograd/graph.js';
import { poison, readTensor, uploadTensor, writeTensor, type Tensor } from '../../src/gpu/buffers.js';
import { run } from '../../src/gpu/dispatch.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { versionNamed, type AnyFamily } from '../../src/kernels/family.js';
import { uniform } from '../../src/util/rng.js';
import { expectClose, FWD, GRAD } from './check.js';

export interface GraphOpInput {
  shape: number[];
  grad?: boolean;
  /** Fixed values instead of seeded uniform ones in [-1, 1]; a Uint32Array makes a u32 tensor (labels). */
  values?: Float32Array | Uint32Array;
}

/**
 * What an op that seeds gradients itself returns (softmaxCrossEntropy writes the logits'
 * gradient in its forward): its output, compared but not seeded, and the Var the backward starts from.
 */
export interface SelfSeeded { y: Tensor; root: Var }

export interface GraphOpCase {
  inputs: GraphOpInput[];
  /** The op's output Var (its gradient is seeded with seeded values), or a SelfSeeded op's result. */
  build(g: Graph, vars: Var[]): Promise<Var | SelfSeeded>;
  /**
   * The float64 output, and each input's gradient given the output gradient dy (null where the
   * op seeds itself); a gradient of null: the input has none.
   */
  ref(x: Array<Float32Array | Uint32Array>, dy: Float32Array | null): { y: ArrayLike<number>; grads: Array<ArrayLike<number> | null> };
  /** Scales atol for long sums (e.g. sqrt of the reduction length). */
  atolScale?: number;
  seed?: number;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * What the graph must write for `root`: the output of every op Var reachable from it (not views:
 * a reshape shares its input's storage) and every gradient. Plan scratch is left alone: a plan
 * may fill constants when it is recorded (v2's zero bias for its input gradient).
 */
function written(root: Var): Tensor[] {
  const out: Tensor[] = [], seen = new Set<Var>(), stack = [root];
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    if (v.node && !v.viewOf) out.push(v.t);
    if (v.grad) out.push(v.grad);
    stack.push(...(v.node?.inputs ?? []));
    if (v.viewOf) stack.push(v.viewOf);
  }
  return out;
}

export async function checkGraphOp(ctx: GpuContext, c: GraphOpCase): Promise<void> {
  const g = new Graph(ctx);
  let seed = c.seed ?? 1;
  const xs = c.inputs.map((i) => i.values ?? uniform(size(i.shape), seed++));
  const vars = c.inputs.map((i, k) => g.input(uploadTensor(ctx.device, xs[k], i.shape), Boolean(i.grad)));
  try {
    const built = await c.build(g, vars);
    const selfSeeded = 'root' in built;
    const out = selfSeeded ? built.y : built.t;
    const dy = selfSeeded ? null : uniform(size(out.shape), seed++);
    const grads = vars.map((v) => (v.requiresGrad ? g.gradOf(v) : null));
    if (!selfSeeded) {
      g.gradOf(built);
      g.seeded(built);
    }
    await g.backward(selfSeeded ? built.root : built);
    // Poisoned after the backward is recorded (it allocates the intermediate gradients), before anything runs.
    for (const t of [...(selfSeeded ? [out] : []), ...written(selfSeeded ? built.root : built)]) poison(ctx.device, t);
    if (dy && !selfSeeded) writeTensor(ctx.device, g.gradOf(built), dy);
    await run(ctx, [...g.forward, ...g.backwardList]);
    const want = c.ref(xs, dy);
    const s = c.atolScale ?? 1;
    expectClose('forward', await readTensor(ctx.device, out), want.y, FWD.atol * s, FWD.rtol);
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

/** A family forced to one of its versions, and the family shapes the op under test will ask it for. */
export interface Forced { family: AnyFamily; version: string; shapes: unknown[] }

/**
 * checkGraphOp with each family in `forced` forced to its version (through the context's
 * selection policy, as --kernels does), released afterwards. Where a forced version cannot take
 * one of its shapes, the op must reject it with the policy's `--kernels family=vN` error instead.
 * Families with a choice must record only the forced version for the op's dispatches.
 */
export async function checkForced(ctx: GpuContext, forced: Forced[], c: GraphOpCase): Promise<void> {
  const from = ctx.select.decisions.length;
  for (const f of forced) ctx.select.force(f.family.name, f.version);
  try {
    const unfit = forced.find((f) => f.shapes.some((s) => versionNamed(f.family, f.version).unfit(s, ctx.limits)));
    if (unfit) {
      await expect(checkGraphOp(ctx, c)).rejects.toThrow(`--kernels ${unfit.family.name}=${unfit.version}: ${unfit.version} cannot take`);
      return;
    }
    await checkGraphOp(ctx, c);
    const made = ctx.select.decisions.slice(from);
    for (const f of forced) {
      if (f.family.versions.length < 2) continue; // a single version skips the policy
      const mine = made.filter((d) => d.family === f.family.name);
      expect(mine.length, `${f.family.name} decisions`).toBeGreaterThan(0);
      for (const d of mine) expect([d.version, d.why]).toEqual([f.version, 'forced']);
    }
  } finally {
    for (const f of forced) ctx.select.force(f.family.name, null);
  }
}

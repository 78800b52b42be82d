// batchNorm and globalAvgPool2d through the autograd Graph. A training graph normalises with the
// batch statistics (output and the gradients of x, gamma and beta against float64 references,
// with each input needing a gradient or not, and x's gradient accumulated where x fans out) and
// moves the running statistics every time its forward runs; an evaluation graph normalises with
// the running statistics and records no backward.
import { describe, expect, it } from 'vitest';
import * as F from '../../src/autograd/ops.js';
import { Graph, type Var } from '../../src/autograd/graph.js';
import { readTensor, uploadTensor } from '../../src/gpu/buffers.js';
import { run } from '../../src/gpu/dispatch.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { batchNormFamily } from '../../src/kernels/batchnorm/family.js';
import { bnApplyRef, bnBackwardRef, bnRunningRef, bnTrainRef } from '../../src/kernels/batchnorm/ref.js';
import { globalAvgPoolBwdRef, globalAvgPoolRef } from '../../src/kernels/pool2d/ref.js';
import { uniform } from '../../src/util/rng.js';
import { gpu } from '../helpers/gpu.js';
import { checkForced, checkGraphOp } from '../helpers/graph_op.js';
import { expectClose, FWD } from '../helpers/check.js';

const EPS = 1e-5;
const view = (x: readonly number[]) => ({ N: x[0], C: x[1], S: x.slice(2).reduce((a, b) => a * b, 1) });
const running = (g: Graph, C: number, seed: number) => ({
  mean: uploadOwned(g, uniform(C, seed)), variance: uploadOwned(g, uniform(C, seed + 1, 0.5, 2)),
});
function uploadOwned(g: Graph, v: Float32Array, shape = [v.length]) {
  const t = uploadTensor(g.ctx.device, v, shape);
  g.tensors.push(t); // freed with the graph
  return t;
}

const SHAPES = [[2, 3, 5, 7], [1, 3, 4, 5], [3, 1, 6, 6], [4, 2, 1, 1], [5, 7], [2, 1], [64, 3]];
// Which of x, gamma, beta need a gradient.
const GRADS: Array<[boolean, boolean, boolean]> = [[true, true, true], [false, true, true], [true, false, false], [false, false, true]];

describe('batchNorm through the Graph (training)', () => {
  const cases = batchNormFamily.versions.flatMap((v) => SHAPES.flatMap((x, i) => {
    const gr = GRADS[i % GRADS.length];
    return [[`${v.name} [${x.join(', ')}] grads x=${gr[0]} gamma=${gr[1]} beta=${gr[2]}`, v.name, x, gr] as const];
  }));
  it.each(cases)('%s', async (_n, version, x, [gx, gg, gb]) => {
    const s = view(x);
    await checkForced(await gpu(), [{ family: batchNormFamily, version, shapes: [s] }], {
      inputs: [{ shape: x, grad: gx }, { shape: [s.C], grad: gg }, { shape: [s.C], grad: gb }],
      build: (g, [xv, gamma, beta]) => F.batchNorm(g, xv, gamma, beta, running(g, s.C, 7), { eps: EPS }),
      ref: ([xv, gamma, beta], dy) => {
        const b = bnBackwardRef(xv, gamma, dy!, s, EPS);
        return { y: bnTrainRef(xv, gamma, beta, s, EPS).y, grads: [b.dx, b.dgamma, b.dbeta] };
      },
      atolScale: Math.max(1, Math.sqrt(s.N * s.S) / 8),
    });
  });

  it('x fanning out (bn(x) + x): its gradient accumulates both paths', async () => {
    const x = [3, 2, 3, 3], s = view(x);
    await checkGraphOp(await gpu(), {
      inputs: [{ shape: x, grad: true }, { shape: [s.C], grad: true }, { shape: [s.C], grad: true }],
      build: async (g, [xv, gamma, beta]) => F.add(g, await F.batchNorm(g, xv, gamma, beta, running(g, s.C, 3)), xv),
      ref: ([xv, gamma, beta], dy) => {
        const b = bnBackwardRef(xv, gamma, dy!, s, EPS);
        return { y: bnTrainRef(xv, gamma, beta, s, EPS).y.map((v, i) => v + xv[i]), grads: [b.dx.map((v, i) => v + dy![i]), b.dgamma, b.dbeta] };
      },
    });
  });

  it('refuses a training graph over one value per channel, in words', async () => {
    const ctx = await gpu();
    const g = new Graph(ctx);
    try {
      const [x, gamma, beta] = inputsOf(g, [1, 4], 1);
      await expect(F.batchNorm(g, x, gamma, beta, running(g, 4, 1))).rejects.toThrow('batchnorm: training mode needs more than one value per channel, got N*S = 1');
    } finally {
      g.destroy();
    }
  });
});

function inputsOf(g: Graph, x: number[], seed: number): Var[] {
  const C = x[1], n = x.reduce((a, b) => a * b, 1);
  return [g.input(uploadOwned(g, uniform(n, seed), x), true), g.input(uploadOwned(g, uniform(C, seed + 1, 0.5, 1.5)), true), g.input(uploadOwned(g, uniform(C, seed + 2)), true)];
}

async function values(ctx: GpuContext, vars: Var[]) {
  return Promise.all(vars.map((v) => readTensor(ctx.device, v.t)));
}

describe('batchNorm running statistics and evaluation graphs', () => {
  it.each([[[4, 3, 5, 5]], [[6, 5]], [[1, 2, 3, 3]]])('[%j]: each training forward moves them by momentum; an evaluation graph normalises with them', async (x) => {
    const ctx = await gpu(), s = view(x), momentum = 0.25;
    const train = new Graph(ctx), evalG = new Graph(ctx, false);
    try {
      const vars = inputsOf(train, x, 5), stats = running(train, s.C, 9);
      const [xv, gamma, beta] = await values(ctx, vars);
      let want: { mean: ArrayLike<number>; variance: ArrayLike<number> } = { mean: await readTensor(ctx.device, stats.mean), variance: await readTensor(ctx.device, stats.variance) };
      await F.batchNorm(train, vars[0], vars[1], vars[2], stats, { momentum, eps: EPS });
      for (let step = 0; step < 3; step++) {
        await run(ctx, train.forward);
        want = bnRunningRef(want.mean, want.variance, xv, s, momentum);
      }
      expectClose('running mean after 3 forwards', await readTensor(ctx.device, stats.mean), want.mean, FWD.atol, FWD.rtol);
      expectClose('running var after 3 forwards', await readTensor(ctx.device, stats.variance), want.variance, FWD.atol, FWD.rtol);

      const y = await F.batchNorm(evalG, evalG.input(vars[0].t), evalG.input(vars[1].t), evalG.input(vars[2].t), stats, { momentum, eps: EPS });
      expect(y.requiresGrad).toBe(false);
      await run(ctx, evalG.forward);
      expectClose('y (evaluation)', await readTensor(ctx.device, y.t), bnApplyRef(xv, want.mean, want.variance, gamma, beta, s, EPS), FWD.atol, FWD.rtol);
      // Evaluation leaves the running statistics alone.
      expectClose('running mean after evaluation', await readTensor(ctx.device, stats.mean), want.mean, FWD.atol, FWD.rtol);
    } finally {
      train.destroy();
      evalG.destroy();
    }
  });
});

describe('globalAvgPool2d through the Graph', () => {
  it.each([[[2, 3, 5, 7]], [[1, 1, 1, 1]], [[3, 2, 4, 4]], [[2, 5, 7, 7]], [[2, 3, 28, 28]]])('%j', async (x) => {
    const [N, C, H, W] = x;
    await checkGraphOp(await gpu(), {
      inputs: [{ shape: x, grad: true }],
      build: async (g, [xv]) => {
        const y = await F.globalAvgPool2d(g, xv);
        expect(y.shape).toEqual([N, C]);
        return y;
      },
      ref: ([xv], dy) => ({ y: globalAvgPoolRef(xv, N, C, H, W), grads: [globalAvgPoolBwdRef(dy!, N, C, H, W)] }),
    });
  });

  it('refuses an input that is not [N, C, H, W]', async () => {
    const ctx = await gpu(), g = new Graph(ctx);
    try {
      await expect(F.globalAvgPool2d(g, g.input(uploadOwned(g, uniform(6, 1)), true))).rejects.toThrow('globalavgpool2d: input must be [N, C, H, W], got [6]');
    } finally {
      g.destroy();
    }
  });
});

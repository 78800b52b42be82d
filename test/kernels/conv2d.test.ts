import { describe, expect, it } from 'vitest';
import { conv2dBackwardInput, conv2dBackwardWeight, conv2dForward, conv2dGeom } from '../../src/ops/conv2d.js';
import { biasGrad } from '../../src/kernels/bias/family.js';
import { bwdInputScratchShapes, bwdInputV2Supported, conv2dBackwardInputV2, conv2dBackwardWeightV2, conv2dForwardV2, wgradScratchShape } from '../../src/ops/conv2d_fast.js';
import { Conv2dV3, gemmGeom } from '../../src/ops/conv2d_gemm.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { conv2dBwdInputRef, conv2dBwdWeightRef, conv2dRef } from '../../src/ref/conv2d.js';
import { biasGradRef } from '../../src/kernels/bias/ref.js';
import { uploadTensor } from '../../src/gpu/buffers.js';
import { exec, gpu, output, rand, read } from '../helpers/gpu.js';
import { expectClose, FWD, GRAD } from '../helpers/check.js';

interface Case { N: number; C: number; H: number; W: number; K: number; k: number; stride: number; pad: number }

// Every kernel size x stride x padding, each with C=1 and C=3; odd, non-square spatial sizes
// and batch 1/2 so no dimension lines up with the workgroup size.
const cases: Case[] = [];
for (const k of [1, 3, 5])
  for (const stride of [1, 2])
    for (const pad of [0, 1])
      for (const C of [1, 3]) {
        const i = cases.length;
        cases.push({ N: 1 + (i % 2), C, H: k + 4 + (i % 3), W: k + 6 - (i % 2), K: [1, 2, 5][i % 3], k, stride, pad });
      }

const name = (c: Case) => `N${c.N} C${c.C} ${c.H}x${c.W} K${c.K} k${c.k} s${c.stride} p${c.pad}`;

describe('conv2d kernels vs float64 reference', () => {
  it.each(cases.map((c) => [name(c), c] as const))('%s', async (_n, c) => {
    const ctx = await gpu();
    const args = { stride: c.stride, padding: c.pad };
    const seed = c.k * 100 + c.stride * 10 + c.pad + c.C;
    const x = rand(ctx, [c.N, c.C, c.H, c.W], seed);
    const w = rand(ctx, [c.K, c.C, c.k, c.k], seed + 1);
    const b = rand(ctx, [c.K], seed + 2);
    const g = conv2dGeom(x.t.shape, w.t.shape, args);
    const dy = rand(ctx, [g.N, g.K, g.OH, g.OW], seed + 3);
    const y = output(ctx, [g.N, g.K, g.OH, g.OW]);
    const dx = output(ctx, x.t.shape);
    const dw = output(ctx, w.t.shape);
    const db = output(ctx, [g.K]);
    await exec(ctx,
      conv2dForward(ctx, x.t, w.t, b.t, y, args),
      conv2dBackwardInput(ctx, dy.t, w.t, dx, args),
      conv2dBackwardWeight(ctx, x.t, dy.t, dw, args),
      biasGrad(ctx, dy.t, db));
    expectClose('fwd', await read(ctx, y), conv2dRef(x.v, w.v, b.v, g), FWD.atol, FWD.rtol);
    expectClose('bwd_input', await read(ctx, dx), conv2dBwdInputRef(dy.v, w.v, g), GRAD.atol, GRAD.rtol);
    expectClose('bwd_weight', await read(ctx, dw), conv2dBwdWeightRef(x.v, dy.v, g), GRAD.atol, GRAD.rtol);
    expectClose('bwd_bias', await read(ctx, db), biasGradRef(dy.v, g.N, g.K, g.OH * g.OW), GRAD.atol, GRAD.rtol);

    // v2 (register-blocked): forward and weight gradient everywhere, input gradient at stride 1.
    const y2 = output(ctx, [...y.shape]), dw2 = output(ctx, w.t.shape), part = output(ctx, wgradScratchShape(c.N, w.t.shape));
    const v2 = [conv2dForwardV2(ctx, x.t, w.t, b.t, y2, args), ...(await conv2dBackwardWeightV2(ctx, x.t, dy.t, dw2, args, part))];
    const dx2 = output(ctx, x.t.shape);
    const fast = bwdInputV2Supported(args, w.t.shape);
    if (fast) {
      const sh = bwdInputScratchShapes(w.t.shape);
      const zeros = output(ctx, sh.zeros);
      ctx.queue.writeBuffer(zeros.buffer, 0, new Float32Array(c.C));
      v2.push(...(await conv2dBackwardInputV2(ctx, dy.t, w.t, dx2, args, { wt: output(ctx, sh.wt), zeros })));
    } else {
      await expect(conv2dBackwardInputV2(ctx, dy.t, w.t, dx2, args, { wt: dx2, zeros: dx2 })).rejects.toThrow(/needs stride 1/);
    }
    await exec(ctx, ...v2);
    expectClose('fwd.v2', await read(ctx, y2), conv2dRef(x.v, w.v, b.v, g), FWD.atol, FWD.rtol);
    expectClose('bwd_weight.v2', await read(ctx, dw2), conv2dBwdWeightRef(x.v, dy.v, g), GRAD.atol, GRAD.rtol);
    if (fast) expectClose('bwd_input.v2', await read(ctx, dx2), conv2dBwdInputRef(dy.v, w.v, g), GRAD.atol, GRAD.rtol);

    await checkV3(ctx, [c.N, c.C, c.H, c.W], [c.K, c.C, c.k, c.k], args, seed);
  });

  it('v3 splits the weight gradient over the batch and accumulates (N=37, K=7)', async () => {
    const ctx = await gpu();
    const q = gemmGeom([37, 3, 6, 9], [7, 3, 3, 3], { padding: 1 });
    expect(q.Z).toBeGreaterThan(1);
    await checkV3(ctx, [37, 3, 6, 9], [7, 3, 3, 3], { padding: 1 }, 40, true);
  });

  it('v2 passes on a batch that splits into uneven chunks (N=37, K=7)', async () => {
    const ctx = await gpu();
    const args = { padding: 1 };
    const x = rand(ctx, [37, 3, 6, 9], 1), w = rand(ctx, [7, 3, 3, 3], 2), b = rand(ctx, [7], 3);
    const g = conv2dGeom(x.t.shape, w.t.shape, args);
    const dy = rand(ctx, [g.N, g.K, g.OH, g.OW], 4);
    const dw0 = rand(ctx, [...w.t.shape], 5);
    const y = output(ctx, [g.N, g.K, g.OH, g.OW]), dx = output(ctx, x.t.shape);
    const sh = bwdInputScratchShapes(w.t.shape);
    const zeros = output(ctx, sh.zeros);
    ctx.queue.writeBuffer(zeros.buffer, 0, new Float32Array(3));
    await exec(ctx, conv2dForwardV2(ctx, x.t, w.t, b.t, y, args),
      ...(await conv2dBackwardWeightV2(ctx, x.t, dy.t, dw0.t, args, output(ctx, wgradScratchShape(37, w.t.shape)), { accumulate: true })),
      ...(await conv2dBackwardInputV2(ctx, dy.t, w.t, dx, args, { wt: output(ctx, sh.wt), zeros })));
    expectClose('fwd.v2', await read(ctx, y), conv2dRef(x.v, w.v, b.v, g), FWD.atol, FWD.rtol);
    expectClose('bwd_input.v2', await read(ctx, dx), conv2dBwdInputRef(dy.v, w.v, g), GRAD.atol, GRAD.rtol);
    expectClose('bwd_weight.v2 accumulated', await read(ctx, dw0.t), conv2dBwdWeightRef(x.v, dy.v, g).map((v, i) => v + dw0.v[i]), GRAD.atol * 3, GRAD.rtol);
  });

  it('bwd_weight and bias grad accumulate into existing gradients', async () => {
    const ctx = await gpu();
    const args = { stride: 2, padding: 1 };
    const x = rand(ctx, [3, 3, 11, 9], 7);
    const g = conv2dGeom(x.t.shape, [4, 3, 3, 3], args);
    const dy = rand(ctx, [g.N, g.K, g.OH, g.OW], 8);
    const dw0 = rand(ctx, [4, 3, 3, 3], 9);
    const db0 = rand(ctx, [4], 10);
    await exec(ctx, conv2dBackwardWeight(ctx, x.t, dy.t, dw0.t, args, { accumulate: true }), biasGrad(ctx, dy.t, db0.t, { accumulate: true }));
    const wantW = conv2dBwdWeightRef(x.v, dy.v, g).map((v, i) => v + dw0.v[i]);
    const wantB = biasGradRef(dy.v, g.N, g.K, g.OH * g.OW).map((v, i) => v + db0.v[i]);
    expectClose('dw accumulated', await read(ctx, dw0.t), wantW, GRAD.atol, GRAD.rtol);
    expectClose('db accumulated', await read(ctx, db0.t), wantB, GRAD.atol, GRAD.rtol);
  });

  it('rejects unsupported arguments with a clear error', async () => {
    const ctx = await gpu();
    const x = uploadTensor(ctx.device, new Float32Array(2 * 3 * 5 * 5), [2, 3, 5, 5]);
    const w = uploadTensor(ctx.device, new Float32Array(4 * 2 * 3 * 3), [4, 2, 3, 3]);
    const b = uploadTensor(ctx.device, new Float32Array(4), [4]);
    const y = output(ctx, [2, 4, 3, 3]);
    expect(() => conv2dForward(ctx, x, w, b, y)).toThrow(/weight has 2 input channels, input has 3/);
    expect(() => conv2dGeom([1, 1, 5, 5], [1, 1, 3, 3], { stride: 0 })).toThrow(/stride must be an integer >= 1/);
    expect(() => conv2dGeom([1, 1, 5, 5], [1, 1, 3, 3], { padding: 0.5 })).toThrow(/padding must be an integer >= 0/);
    expect(() => conv2dGeom([1, 1, 2, 2], [1, 1, 5, 5])).toThrow(/does not fit/);
    expect(() => conv2dGeom([1, 5, 5], [1, 1, 3, 3])).toThrow(/NCHW/);
  });
});

/** v3 (im2col + vec4 GEMM): forward, input, weight and bias gradients, optionally accumulated. */
async function checkV3(ctx: GpuContext, xs: number[], ws: number[], args: { stride?: number; padding?: number }, seed: number, accumulate = false): Promise<void> {
  const x = rand(ctx, xs, seed), w = rand(ctx, ws, seed + 1), b = rand(ctx, [ws[0]], seed + 2);
  const g = conv2dGeom(xs, ws, args);
  const dy = rand(ctx, [g.N, g.K, g.OH, g.OW], seed + 3);
  const y = output(ctx, [g.N, g.K, g.OH, g.OW]);
  const [dx, dw, db] = accumulate ? [rand(ctx, xs, seed + 4), rand(ctx, ws, seed + 5), rand(ctx, [g.K], seed + 6)]
    : [{ t: output(ctx, xs), v: null }, { t: output(ctx, ws), v: null }, { t: output(ctx, [g.K]), v: null }];
  const conv = new Conv2dV3(ctx, xs, ws, args, (shape) => output(ctx, shape));
  const acc = { accumulate };
  await exec(ctx, ...(await conv.forward(x.t, w.t, b.t, y)), conv.packGrad(dy.t), ...(await conv.backwardInput(dx.t, acc)),
    conv.weightGemm(), conv.unpackWeight(dw.t, acc), conv.unpackBias(db.t, acc));
  const plus = (want: Float64Array | number[], base: Float32Array | null) => (base ? Array.from(want, (v, i) => v + base[i]) : want);
  const k = accumulate ? 3 : 1;
  expectClose('fwd.v3', await read(ctx, y), conv2dRef(x.v, w.v, b.v, g), FWD.atol, FWD.rtol);
  expectClose('bwd_input.v3', await read(ctx, dx.t), plus(conv2dBwdInputRef(dy.v, w.v, g), dx.v), GRAD.atol * k, GRAD.rtol);
  expectClose('bwd_weight.v3', await read(ctx, dw.t), plus(conv2dBwdWeightRef(x.v, dy.v, g), dw.v), GRAD.atol * k, GRAD.rtol);
  expectClose('bwd_bias.v3', await read(ctx, db.t), plus(biasGradRef(dy.v, g.N, g.K, g.OH * g.OW), db.v), GRAD.atol * k, GRAD.rtol);
}

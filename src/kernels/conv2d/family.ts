// conv2d: y = conv(x, w) + b (optionally followed by a ReLU) with x [N,C,H,W], w [K,C,KH,KW], any
// stride and padding, and its input, weight and bias gradients. A version is a whole layer
// implementation (plan.ts): v1 the direct kernels, v2 register-blocked, v3 im2col + the vec4
// GEMM, v4 implicit GEMMs, v5 v4 with a split-K weight gradient (the GPU form). Adding a version: its WGSL, a vN.ts with its plan, and one entry below.
import type { GpuContext } from '../../gpu/context.js';
import { pow2, type Alloc, type Family } from '../family.js';
import { conv2dGeom, yShape, type Conv2dGeom } from './geometry.js';
import { fitOrThrow, type Conv2dPlan, type Conv2dVersion, type PlanOptions } from './plan.js';
import { conv2dV1 } from './v1.js';
import { conv2dV2 } from './v2.js';
import { conv2dV3 } from './v3.js';
import { conv2dV4 } from './v4.js';
import { conv2dV5 } from './v5.js';

export type { Conv2dPlan, Conv2dVersion, PlanOptions };

export const conv2dFamily: Family<Conv2dGeom, Conv2dVersion> = {
  name: 'conv2d',
  versions: [conv2dV1, conv2dV2, conv2dV3, conv2dV4, conv2dV5],
  order: ['v5', 'v4', 'v3', 'v2', 'v1'],
  bucket: (g) => `N${pow2(g.N)} C${pow2(g.C)} K${pow2(g.K)} ${pow2(g.H)}x${pow2(g.W)} k${g.KH}x${g.KW} s${g.SH}x${g.SW} p${g.PH}x${g.PW}${g.relu ? ' relu' : ''}${g.forwardOnly ? ' fwd' : ''}`,
  describe: (g) => `x [${g.N}, ${g.C}, ${g.H}, ${g.W}] * w [${g.K}, ${g.C}, ${g.KH}, ${g.KW}] s${g.SH} p${g.PH}${g.SW !== g.SH || g.PW !== g.PH ? ` (${g.SW}, ${g.PW} across)` : ''}${g.relu ? ' + relu' : ''}${g.forwardOnly ? ' (forward only)' : ''}`,
  /** The forward (with the ReLU where the shape has one), then (unless the shape is forward-only) all three gradients from one packed dy. */
  async trial(ctx, v, g, { rand, out }) {
    const plan = v.plan(ctx, g, out);
    const x = rand([g.N, g.C, g.H, g.W]), w = rand([g.K, g.C, g.KH, g.KW]), b = rand([g.K]), dy = rand(yShape(g));
    const fwd = await plan.forward(x, w, b, out(yShape(g)));
    if (g.forwardOnly) return fwd;
    return [
      ...fwd,
      ...(await plan.packGrad(dy)),
      ...(await plan.backwardInput(out(x.shape))),
      ...(await plan.backwardWeight(out(w.shape))),
      ...(await plan.backwardBias(out([g.K]))),
    ];
  },
  benchShape: (z) => conv2dGeom([z.N, z.C, z.H, z.W], [z.K, z.C, z.k, z.k], { stride: 1, padding: (z.k - 1) / 2 }),
};

/** A layer's plan with the version the context's policy chooses, or `version` (which must fit). */
export async function planConv2d(ctx: GpuContext, g: Conv2dGeom, alloc: Alloc, version?: Conv2dVersion, opts?: PlanOptions): Promise<Conv2dPlan> {
  if (version) {
    fitOrThrow(version, g, ctx.limits);
    return version.plan(ctx, g, alloc, opts);
  }
  return (await ctx.select.choose(ctx, conv2dFamily, g)).plan(ctx, g, alloc, opts);
}

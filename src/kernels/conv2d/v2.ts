// conv2d v2, register-blocked (shaders/conv2d/v2_blocked.wgsl, v2_wgrad.wgsl): the forward with
// 4 channels x 4 columns per invocation; the weight gradient in batch chunks, then a deterministic
// sum; the input gradient as the blocked forward over flipped weights at stride 1 (and padding
// below the kernel size), elsewhere v1's direct kernel. The input gradient cannot accumulate.
import type { Tensor } from '../../gpu/buffers.js';
import { layerScratch, type Scratch } from '../../gpu/arena.js';
import blocked from '../../../shaders/conv2d/v2_blocked.wgsl?raw';
import wgrad from '../../../shaders/conv2d/v2_wgrad.wgsl?raw';
import params from '../../../shaders/conv2d/params.wgsl?raw';
import input from '../../../shaders/conv2d/v2_input.wgsl?raw';
import index from '../../../shaders/common/index.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelContract } from '../contract.js';
import { CONV_UNIFORMS, convUniforms, flatGridUnfit, macs, scratchUnfit, type Conv2dGeom } from './geometry.js';
import { BasePlan, biasGradient, fitOrThrow, type Conv2dVersion } from './plan.js';
import { BWD_INPUT_V1, directInputGrad } from './v1.js';

const WG = 64;
const def = (c: Pick<KernelContract, 'name' | 'file' | 'source' | 'entry' | 'bindings' | 'partOf'>) =>
  kernelDef({ ...c, include: [params, index, input], uniforms: CONV_UNIFORMS, workgroup: WG });
const FWD_BINDINGS = { x: 'read', w: 'read', bias: 'read', y: 'read_write' } as const;

const FWD = def({ name: 'conv2d.fwd.v2', file: 'conv2d/v2_blocked.wgsl', source: blocked, entry: 'fwd', bindings: FWD_BINDINGS });
// The input gradient: the same entry on the transposed problem (x = dy, w = flipped w, y = dx).
const BWD_INPUT = def({ name: 'conv2d.bwd_input.v2', file: 'conv2d/v2_blocked.wgsl', source: blocked, entry: 'fwd', bindings: FWD_BINDINGS });
const FLIP = def({ name: 'conv2d.flip_weight.v2', file: 'conv2d/v2_blocked.wgsl', source: blocked, entry: 'flip', bindings: { w: 'read', wt: 'read_write' }, partOf: 'conv2d.bwd_input.v2' });
const WGRAD = def({ name: 'conv2d.bwd_weight.v2', file: 'conv2d/v2_wgrad.wgsl', source: wgrad, entry: 'wgrad', bindings: { x: 'read', dy: 'read', part: 'read_write' } });
const WSUM = def({ name: 'conv2d.bwd_weight_sum.v2', file: 'conv2d/v2_wgrad.wgsl', source: wgrad, entry: 'wsum', bindings: { parts: 'read', dw: 'read_write' }, partOf: 'conv2d.bwd_weight.v2' });

const q4 = (n: number) => Math.ceil(n / 4);

/** Whether the flipped-weight input gradient applies: stride 1 and padding below the kernel size. */
export const flippedInputGrad = (g: Conv2dGeom) => g.SH === 1 && g.SW === 1 && g.PH < g.KH && g.PW < g.KW;

/** Batch chunks for the weight gradient: enough invocations to fill the device, few partials. */
export function wgradChunks(N: number): { S: number; NCH: number } {
  const NCH = Math.max(1, Math.ceil(N / 16));
  return { S: Math.ceil(N / NCH), NCH };
}

const partShape = (g: Conv2dGeom) => [wgradChunks(g.N).S, g.K, g.C, g.KH, g.KW];

/** The transposed problem of the input gradient: dy [N,K,OH,OW] over flipped weights [C,K,KH,KW]. */
function transposed(g: Conv2dGeom): Conv2dGeom {
  const PH = g.KH - 1 - g.PH, PW = g.KW - 1 - g.PW;
  return { N: g.N, C: g.K, H: g.OH, W: g.OW, K: g.C, KH: g.KH, KW: g.KW, OH: g.OH + 2 * PH - g.KH + 1, OW: g.OW + 2 * PW - g.KW + 1, SH: 1, SW: 1, PH, PW };
}

const blockedThreads = (g: Conv2dGeom) => g.N * q4(g.K) * g.OH * q4(g.OW);

class V2Plan extends BasePlan {
  private zeros?: Tensor;
  /** Flipped weights and the weight-gradient partials: dead once the layer's backward is done. */
  private bwd: Scratch<'wt' | 'part'>;

  constructor(...a: ConstructorParameters<typeof BasePlan>) {
    super(...a);
    const g = this.geom, { dx, dw } = this.planned;
    this.bwd = layerScratch(this.alloc, this.arena, 'backward', [{ ...(dw ? { part: partShape(g) } : {}), ...(dx && flippedInputGrad(g) ? { wt: [g.C, g.K, g.KH, g.KW] } : {}) }]);
  }

  protected async encodeForward(x: Tensor, w: Tensor, bias: Tensor, y: Tensor) {
    const g = this.geom;
    return [await dispatchKernel(this.ctx, FWD, { uniforms: convUniforms(g), bind: { x, w, bias, y }, threads: blockedThreads(g), flops: 2 * macs(g) })];
  }

  protected async encodePackGrad() {
    return [];
  }

  protected async encodeInput(dx: Tensor) {
    const g = this.geom, { dy, w } = this.recorded;
    if (!flippedInputGrad(g)) return [await directInputGrad(this.ctx, g, dy, w, dx)];
    if (!this.zeros) {
      // Private: written once here, read every step.
      this.zeros = this.alloc([g.C]);
      this.ctx.queue.writeBuffer(this.zeros.buffer, this.zeros.offset, new Float32Array(g.C)); // the transposed problem has no bias
    }
    const t = transposed(g);
    if (t.OH !== g.H || t.OW !== g.W) throw new Error(`conv2d.v2: transposed geometry gives ${t.OH}x${t.OW}, expected ${g.H}x${g.W}`);
    const wt = this.bwd.get('wt'), zeros = this.zeros;
    return [
      await dispatchKernel(this.ctx, FLIP, { uniforms: convUniforms(g), bind: { w, wt }, threads: g.K * g.C * g.KH * g.KW }),
      await dispatchKernel(this.ctx, BWD_INPUT, { uniforms: convUniforms(t), bind: { x: dy, w: wt, bias: zeros, y: dx }, threads: blockedThreads(t), flops: 2 * macs(g) }),
    ];
  }

  protected async encodeWeight(dw: Tensor, accumulate: boolean) {
    const g = this.geom, { x, dy } = this.recorded;
    const { S, NCH } = wgradChunks(g.N);
    const taps = g.C * g.KH * g.KW;
    const u = convUniforms(g, { S, NCH });
    const part = this.bwd.get('part');
    return [
      await dispatchKernel(this.ctx, WGRAD, { uniforms: u, bind: { x, dy, part }, threads: S * q4(g.K) * q4(taps), flops: 2 * macs(g) }),
      await dispatchKernel(this.ctx, WSUM, { uniforms: u, bind: { parts: part, dw }, threads: g.K * taps, constants: { ACCUMULATE: accumulate ? 1 : 0 }, flops: S * g.K * taps }),
    ];
  }

  protected async encodeBias(db: Tensor, accumulate: boolean) {
    return [await biasGradient(this.ctx, this.recorded.dy, db, accumulate)];
  }
}

export const conv2dV2: Conv2dVersion = {
  name: 'v2',
  summary: 'register-blocked: 4 channels x 4 columns per invocation; weight gradient in batch chunks + a deterministic sum; input gradient over flipped weights at stride 1 (v1\'s direct kernel at other strides)',
  kernels: [FWD, BWD_INPUT, FLIP, WGRAD, WSUM, BWD_INPUT_V1],
  unfit: (g, limits) =>
    scratchUnfit('weight-gradient partials', partShape(g), limits)
    ?? flatGridUnfit('forward', blockedThreads(g), WG, limits)
    ?? (flippedInputGrad(g) ? flatGridUnfit('input-gradient', blockedThreads(transposed(g)), WG, limits) : flatGridUnfit('input-gradient', g.N * g.C * g.H * g.W, WG, limits)),
  plan(ctx, g, alloc, opts) {
    fitOrThrow(this, g, ctx.limits);
    return new V2Plan('v2', ctx, g, alloc, { dx: false, dw: true, db: true }, opts);
  },
};

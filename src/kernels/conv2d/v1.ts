// conv2d v1, the direct kernels (shaders/conv2d/v1_direct.wgsl): one invocation per output
// element for the forward and both weight and input gradients; any stride and padding. The bias
// gradient is the bias op's reduction. The input gradient cannot accumulate.
import type { GpuContext } from '../../gpu/context.js';
import type { Tensor } from '../../gpu/buffers.js';
import source from '../../../shaders/conv2d/v1_direct.wgsl?raw';
import params from '../../../shaders/conv2d/params.wgsl?raw';
import index from '../../../shaders/common/index.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDispatch } from '../contract.js';
import { CONV_UNIFORMS, convUniforms, flatGridUnfit, macs, type Conv2dGeom } from './geometry.js';
import { BasePlan, biasGradient, fitOrThrow, type Conv2dVersion } from './plan.js';

const WG = 64;
const def = (name: string, entry: string, bindings: Record<string, 'read' | 'read_write'>) =>
  kernelDef({ name, file: 'conv2d/v1_direct.wgsl', source, include: [params, index], entry, uniforms: CONV_UNIFORMS, bindings, workgroup: WG });

const FWD = def('conv2d.fwd.v1', 'fwd', { x: 'read', w: 'read', bias: 'read', y: 'read_write' });
/** Also v2's input gradient where its flipped-weight pass does not apply. */
export const BWD_INPUT_V1 = def('conv2d.bwd_input.v1', 'bwd_input', { dy: 'read', w: 'read', dx: 'read_write' });
const BWD_WEIGHT = def('conv2d.bwd_weight.v1', 'bwd_weight', { x: 'read', dy: 'read', dw: 'read_write' });

const outputs = (g: Conv2dGeom) => g.N * g.K * g.OH * g.OW;

/** dx = conv_transpose(dy, w), one invocation per input element. */
export function directInputGrad(ctx: GpuContext, g: Conv2dGeom, dy: Tensor, w: Tensor, dx: Tensor): Promise<KernelDispatch> {
  return dispatchKernel(ctx, BWD_INPUT_V1, { uniforms: convUniforms(g), bind: { dy, w, dx }, threads: g.N * g.C * g.H * g.W, flops: 2 * macs(g) });
}

class V1Plan extends BasePlan {
  protected async encodeForward(x: Tensor, w: Tensor, bias: Tensor, y: Tensor) {
    const g = this.geom;
    return [await dispatchKernel(this.ctx, FWD, { uniforms: convUniforms(g), bind: { x, w, bias, y }, threads: outputs(g), flops: 2 * macs(g) })];
  }

  protected async encodePackGrad() {
    return [];
  }

  protected async encodeInput(dx: Tensor) {
    const { dy, w } = this.recorded;
    return [await directInputGrad(this.ctx, this.geom, dy, w, dx)];
  }

  protected async encodeWeight(dw: Tensor, accumulate: boolean) {
    const g = this.geom, { x, dy } = this.recorded;
    return [await dispatchKernel(this.ctx, BWD_WEIGHT, {
      uniforms: convUniforms(g), bind: { x, dy, dw }, threads: g.K * g.C * g.KH * g.KW, constants: { ACCUMULATE: accumulate ? 1 : 0 }, flops: 2 * macs(g),
    })];
  }

  protected async encodeBias(db: Tensor, accumulate: boolean) {
    return [await biasGradient(this.ctx, this.recorded.dy, db, accumulate)];
  }
}

export const conv2dV1: Conv2dVersion = {
  name: 'v1',
  summary: 'direct: one invocation per output element (forward, input and weight gradients); bias gradient by the bias op',
  kernels: [FWD, BWD_INPUT_V1, BWD_WEIGHT],
  unfit: (g, limits) => flatGridUnfit('forward', outputs(g), WG, limits) ?? flatGridUnfit('input-gradient', g.N * g.C * g.H * g.W, WG, limits),
  plan(ctx, g, alloc, opts) {
    fitOrThrow(this, g, ctx.limits);
    return new V1Plan('v1', ctx, g, alloc, { dx: false, dw: true, db: true }, opts);
  },
};

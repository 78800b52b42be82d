// dropout: inverted dropout whose mask comes from a counter-based hash of (seed, index), so it
// needs no RNG state and the CPU reference regenerates it exactly. The forward keeps the mask for
// the backward. A new mask each step is one uniform write: `set('seed', s)` on the fwd dispatch.
// v1: one invocation per element.
import type { GpuContext } from '../../gpu/context.js';
import { numel, type Tensor } from '../../gpu/buffers.js';
import indexSource from '../../../shaders/common/index.wgsl?raw';
import hashSource from '../../../shaders/common/hash.wgsl?raw';
import v1Source from '../../../shaders/dropout/v1_hash.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDef, type KernelDispatch } from '../contract.js';
import { pow2, type Family, type Version } from '../family.js';
import { expectShape } from '../shapes.js';
import { flatGridUnfit, withVersion } from '../pick.js';
import { bindingUnfit } from '../unfit.js';

export interface DropoutShape { n: number }
export interface DropoutOpts { version?: string }

export interface DropoutVersion extends Version<DropoutShape> {
  fwd(ctx: GpuContext, x: Tensor, mask: Tensor, y: Tensor, s: DropoutShape, rate: number, seed: number): Promise<KernelDispatch>;
  bwd(ctx: GpuContext, dy: Tensor, mask: Tensor, dx: Tensor, s: DropoutShape): Promise<KernelDispatch>;
}

const WG = 64;
const def = (op: string): KernelDef => kernelDef({
  name: `dropout.${op}.v1`, file: 'dropout/v1_hash.wgsl', source: v1Source, include: [indexSource, hashSource], entry: op,
  uniforms: ['n', 'seed', 'rate'], bindings: { src: 'read', mask: 'read_write', dst: 'read_write' }, workgroup: WG,
});
const FWD = def('fwd'), BWD = def('bwd');

const v1: DropoutVersion = {
  name: 'v1', summary: 'one invocation per element', kernels: [FWD, BWD],
  unfit: (s, limits) => flatGridUnfit(s.n, WG, limits) ?? bindingUnfit('activations', s.n, limits),
  fwd: (ctx, x, mask, y, s, rate, seed) => dispatchKernel(ctx, FWD, { uniforms: { n: s.n, seed: seed >>> 0, rate }, bind: { src: x, mask, dst: y }, threads: s.n, flops: s.n }),
  bwd: (ctx, dy, mask, dx, s) => dispatchKernel(ctx, BWD, { uniforms: { n: s.n, seed: 0, rate: 0 }, bind: { src: dy, mask, dst: dx }, threads: s.n, flops: s.n }),
};

export const dropoutFamily: Family<DropoutShape, DropoutVersion> = {
  name: 'dropout',
  versions: [v1],
  bucket: (s) => `${pow2(s.n)}`,
  describe: (s) => `${s.n} elements`,
  trial: async (ctx, v, s, { rand, out }) => {
    const mask = out([s.n]);
    return [await v.fwd(ctx, rand([s.n]), mask, out([s.n]), s, 0.25, 7), await v.bwd(ctx, rand([s.n]), mask, out([s.n]), s)];
  },
  benchShape: (z) => ({ n: z.n }),
};

export function checkRate(rate: number): number {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${rate}`);
  return rate;
}

/** y = x * mask, mask = 0 with probability `rate`, else 1/(1-rate); mask is kept for the backward. */
export function dropoutForward(ctx: GpuContext, x: Tensor, mask: Tensor, y: Tensor, rate: number, seed: number, opts: DropoutOpts = {}): Promise<KernelDispatch> {
  expectShape('dropout mask', mask, x.shape);
  expectShape('dropout output', y, x.shape);
  checkRate(rate);
  if (!Number.isInteger(seed)) throw new Error(`dropout seed must be an integer, got ${seed}`);
  const s = { n: numel(x.shape) };
  return withVersion(ctx, dropoutFamily, s, opts.version, (v) => v.fwd(ctx, x, mask, y, s, rate, seed));
}

/** dx = dy * mask. */
export function dropoutBackward(ctx: GpuContext, dy: Tensor, mask: Tensor, dx: Tensor, opts: DropoutOpts = {}): Promise<KernelDispatch> {
  expectShape('dropout mask', mask, dy.shape);
  expectShape('dropout grad input', dx, dy.shape);
  const s = { n: numel(dy.shape) };
  return withVersion(ctx, dropoutFamily, s, opts.version, (v) => v.bwd(ctx, dy, mask, dx, s));
}

// relu: y = max(x, 0) and its gradient over flat tensors, one invocation per element.
// One version; the family still declares its contract, trial and cases like every other.
import type { GpuContext } from '../../gpu/context.js';
import { numel, type Tensor } from '../../gpu/buffers.js';
import indexSource from '../../../shaders/common/index.wgsl?raw';
import v1Source from '../../../shaders/activation/v1_relu.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDispatch } from '../contract.js';
import { pow2, type Family, type Version } from '../family.js';
import { flatGridUnfit, withVersion } from '../pick.js';
import { expectShape } from '../shapes.js';

/** n: elements of the flat tensor. */
export interface ReluShape { n: number }

export interface ReluVersion extends Version<ReluShape> {
  forward(ctx: GpuContext, x: Tensor, y: Tensor, n: number): Promise<KernelDispatch>;
  backward(ctx: GpuContext, x: Tensor, dy: Tensor, dx: Tensor, n: number): Promise<KernelDispatch>;
}

const WG = 64;
const def = (name: string, entry: string, bindings: Record<string, 'read' | 'read_write'>) =>
  kernelDef({ name, file: 'activation/v1_relu.wgsl', source: v1Source, include: [indexSource], entry, uniforms: ['n'], bindings, workgroup: WG });
const FWD = def('relu.fwd.v1', 'relu_fwd', { x: 'read', out: 'read_write' });
const BWD = def('relu.bwd.v1', 'relu_bwd', { x: 'read', dy: 'read', out: 'read_write' });

export const reluFamily: Family<ReluShape, ReluVersion> = {
  name: 'relu',
  versions: [{
    name: 'v1', summary: 'one invocation per element', kernels: [FWD, BWD],
    unfit: (s, limits) => flatGridUnfit(s.n, WG, limits),
    forward: (ctx, x, y, n) => dispatchKernel(ctx, FWD, { uniforms: { n }, bind: { x, out: y }, threads: n, flops: n }),
    backward: (ctx, x, dy, dx, n) => dispatchKernel(ctx, BWD, { uniforms: { n }, bind: { x, dy, out: dx }, threads: n, flops: n }),
  }],
  bucket: (s) => `${pow2(s.n)}`,
  describe: (s) => `n=${s.n}`,
  trial: async (ctx, v, { n }, { rand, out }) => {
    const x = rand([n]);
    return [await v.forward(ctx, x, out([n]), n), await v.backward(ctx, x, rand([n]), out([n]), n)];
  },
  benchShape: (z) => ({ n: z.n }),
};

export function reluForward(ctx: GpuContext, x: Tensor, y: Tensor, version?: string): Promise<KernelDispatch> {
  expectShape('relu output', y, x.shape);
  const n = numel(x.shape);
  return withVersion(ctx, reluFamily, { n }, version, (v) => v.forward(ctx, x, y, n));
}

/** dx = dy * (x > 0); x is the ReLU's input. */
export function reluBackward(ctx: GpuContext, x: Tensor, dy: Tensor, dx: Tensor, version?: string): Promise<KernelDispatch> {
  expectShape('relu grad output', dy, x.shape);
  expectShape('relu grad input', dx, x.shape);
  const n = numel(x.shape);
  return withVersion(ctx, reluFamily, { n }, version, (v) => v.backward(ctx, x, dy, dx, n));
}

// reduce: out[0] = sum (or mean) of a flat tensor, by one workgroup's tree sum: for loss vectors
// and metrics, not for large bandwidth-bound reductions. One version.
import type { GpuContext } from '../../gpu/context.js';
import { numel, type Tensor } from '../../gpu/buffers.js';
import v1Source from '../../../shaders/reduce/v1_tree.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDispatch } from '../contract.js';
import { pow2, type Family, type Version } from '../family.js';
import { withVersion } from '../pick.js';
import { expectShape } from '../shapes.js';

/** n: elements summed. */
export interface ReduceShape { n: number }

export interface ReduceVersion extends Version<ReduceShape> {
  sum(ctx: GpuContext, x: Tensor, out: Tensor, n: number, mean: boolean): Promise<KernelDispatch>;
}

const SUM = kernelDef({ name: 'reduce.sum.v1', file: 'reduce/v1_tree.wgsl', source: v1Source, entry: 'sum', uniforms: ['n', 'scale'], bindings: { x: 'read', out: 'read_write' }, workgroup: 256 });

export const reduceFamily: Family<ReduceShape, ReduceVersion> = {
  name: 'reduce',
  versions: [{
    name: 'v1', summary: 'one workgroup: strided partial sums, then a tree sum', kernels: [SUM],
    // One workgroup strides over any n a u32 uniform can hold.
    unfit: (s) => (s.n > 0xffffffff ? `n=${s.n} does not fit a u32` : null),
    sum: (ctx, x, out, n, mean) => dispatchKernel(ctx, SUM, { uniforms: { n, scale: mean ? 1 / n : 1 }, bind: { x, out }, grid: [1, 1, 1], flops: n }),
  }],
  bucket: (s) => `${pow2(s.n)}`,
  describe: (s) => `n=${s.n}`,
  trial: async (ctx, v, { n }, { rand, out }) => [await v.sum(ctx, rand([n]), out([1]), n, false)],
  benchShape: (z) => ({ n: z.n }),
};

/** out[0] = sum(x) (or the mean with `mean`); out is a 1-element tensor. */
export function reduceSum(ctx: GpuContext, x: Tensor, out: Tensor, opts: { mean?: boolean; version?: string } = {}): Promise<KernelDispatch> {
  expectShape('reduce output', out, [1]);
  const n = numel(x.shape);
  if (n === 0) throw new Error('reduce: empty input');
  if (x.dtype !== 'f32') throw new Error(`reduce input: expected f32, got ${x.dtype}`);
  return withVersion(ctx, reduceFamily, { n }, opts.version, (v) => v.sum(ctx, x, out, n, Boolean(opts.mean)));
}

// elementwise: add, scale, axpy (gradient accumulation) and fill over flat f32 tensors of the
// same shape (no broadcasting), one invocation per element. One version.
import type { GpuContext } from '../../gpu/context.js';
import { numel, type Tensor } from '../../gpu/buffers.js';
import indexSource from '../../../shaders/common/index.wgsl?raw';
import v1Source from '../../../shaders/elementwise/v1.wgsl?raw';
import { dispatchKernel, kernelDef, type Access, type KernelDef, type KernelDispatch } from '../contract.js';
import { pow2, type Family, type Version } from '../family.js';
import { flatGridUnfit, withVersion } from '../pick.js';
import { expectShape } from '../shapes.js';

/** n: elements of each operand. */
export interface ElementwiseShape { n: number }

export interface ElementwiseVersion extends Version<ElementwiseShape> {
  add(ctx: GpuContext, a: Tensor, b: Tensor, out: Tensor, n: number): Promise<KernelDispatch>;
  scale(ctx: GpuContext, a: Tensor, alpha: number, out: Tensor, n: number): Promise<KernelDispatch>;
  axpy(ctx: GpuContext, alpha: number, a: Tensor, out: Tensor, n: number): Promise<KernelDispatch>;
  fill(ctx: GpuContext, out: Tensor, value: number, n: number): Promise<KernelDispatch>;
}

const WG = 64;
const def = (op: string, bindings: Record<string, Access>) =>
  kernelDef({ name: `elementwise.${op}.v1`, file: 'elementwise/v1.wgsl', source: v1Source, include: [indexSource], entry: op, uniforms: ['n', 'alpha'], bindings, workgroup: WG });
const ADD = def('add', { a: 'read', b: 'read', out: 'read_write' });
const SCALE = def('scale', { a: 'read', out: 'read_write' });
const AXPY = def('axpy', { a: 'read', out: 'read_write' });
const FILL = def('fill', { out: 'read_write' });

const run = (ctx: GpuContext, k: KernelDef, n: number, alpha: number, bind: Record<string, Tensor>, flops: number) =>
  dispatchKernel(ctx, k, { uniforms: { n, alpha }, bind, threads: n, flops });

export const elementwiseFamily: Family<ElementwiseShape, ElementwiseVersion> = {
  name: 'elementwise',
  versions: [{
    name: 'v1', summary: 'one invocation per element', kernels: [ADD, SCALE, AXPY, FILL],
    unfit: (s, limits) => flatGridUnfit(s.n, WG, limits),
    add: (ctx, a, b, out, n) => run(ctx, ADD, n, 0, { a, b, out }, n),
    scale: (ctx, a, alpha, out, n) => run(ctx, SCALE, n, alpha, { a, out }, n),
    axpy: (ctx, alpha, a, out, n) => run(ctx, AXPY, n, alpha, { a, out }, 2 * n),
    fill: (ctx, out, value, n) => run(ctx, FILL, n, value, { out }, 0),
  }],
  bucket: (s) => `${pow2(s.n)}`,
  describe: (s) => `n=${s.n}`,
  trial: async (ctx, v, { n }, { rand, out }) => {
    const a = rand([n]), b = rand([n]), o = out([n]);
    return [await v.add(ctx, a, b, o, n), await v.scale(ctx, a, 0.5, o, n), await v.axpy(ctx, 0.5, a, o, n), await v.fill(ctx, o, 0, n)];
  },
  benchShape: (z) => ({ n: z.n }),
};

const size = (t: Tensor) => ({ n: numel(t.shape) });

/** out = a + b (same shapes; no broadcasting). */
export function add(ctx: GpuContext, a: Tensor, b: Tensor, out: Tensor, version?: string): Promise<KernelDispatch> {
  expectShape('add rhs', b, a.shape);
  expectShape('add output', out, a.shape);
  const s = size(a);
  return withVersion(ctx, elementwiseFamily, s, version, (v) => v.add(ctx, a, b, out, s.n));
}

/** out = alpha * a */
export function scale(ctx: GpuContext, a: Tensor, alpha: number, out: Tensor, version?: string): Promise<KernelDispatch> {
  expectShape('scale output', out, a.shape);
  const s = size(a);
  return withVersion(ctx, elementwiseFamily, s, version, (v) => v.scale(ctx, a, alpha, out, s.n));
}

/** out += alpha * a */
export function axpy(ctx: GpuContext, alpha: number, a: Tensor, out: Tensor, version?: string): Promise<KernelDispatch> {
  expectShape('axpy output', out, a.shape);
  const s = size(a);
  return withVersion(ctx, elementwiseFamily, s, version, (v) => v.axpy(ctx, alpha, a, out, s.n));
}

/** out = value */
export function fill(ctx: GpuContext, out: Tensor, value: number, version?: string): Promise<KernelDispatch> {
  if (out.dtype !== 'f32') throw new Error(`fill: expected f32, got ${out.dtype}`);
  const s = size(out);
  return withVersion(ctx, elementwiseFamily, s, version, (v) => v.fill(ctx, out, value, s.n));
}

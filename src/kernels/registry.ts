import conv2d from '../../shaders/conv2d.wgsl?raw';
import conv2dBlocked from '../../shaders/conv2d_blocked.wgsl?raw';
import conv2dWgrad from '../../shaders/conv2d_wgrad.wgsl?raw';
import pool2d from '../../shaders/pool2d.wgsl?raw';
import conv2dGemm from '../../shaders/conv2d_gemm.wgsl?raw';
import bias from '../../shaders/bias.wgsl?raw';
import activation from '../../shaders/activation.wgsl?raw';
import elementwise from '../../shaders/elementwise.wgsl?raw';
import reduce from '../../shaders/reduce.wgsl?raw';

import { kernelDef, type KernelDef } from './contract.js';
import type { AnyFamily } from './family.js';
import { matmulFamily } from './matmul/family.js';
import { softmaxXentFamily } from './softmax_xent/family.js';
import { metricsFamily } from './metrics/family.js';
import { dropoutFamily } from './dropout/family.js';
import { optimFamily } from './optim/family.js';
import { dataFamily } from './data/family.js';
import { CONV_GEMM_KERNELS } from '../ops/conv2d_gemm.js';

export type { KernelDef };

/** Every kernel family: the registry, the bench sweep, selftest, the tests and `kernels` iterate this list. */
export const FAMILIES: readonly AnyFamily[] = [
  matmulFamily,
  softmaxXentFamily,
  metricsFamily,
  dropoutFamily,
  optimFamily,
  dataFamily,
];

const defs: KernelDef[] = [];

for (const f of FAMILIES) for (const v of f.versions) for (const k of v.kernels) if (!defs.some((d) => d.name === k.name)) defs.push(k);
defs.push(...CONV_GEMM_KERNELS);

/** A kernel not yet moved into its family: no named contract to check. */
function add(name: string, file: string, source: string, entry: string, wg = 64, constants: Record<string, number> = {}, partOf?: string): void {
  defs.push({ ...kernelDef({ name, file, source, entry, uniforms: [], bindings: {}, workgroup: wg, constants, partOf }), legacy: true });
}

add('conv2d.fwd.v1', 'conv2d.wgsl', conv2d, 'fwd');
add('conv2d.bwd_input.v1', 'conv2d.wgsl', conv2d, 'bwd_input');
add('conv2d.bwd_weight.v1', 'conv2d.wgsl', conv2d, 'bwd_weight');
// v2: register-blocked. bwd_input.v2 is the fwd entry run on dy with flipped weights (stride 1).
add('conv2d.fwd.v2', 'conv2d_blocked.wgsl', conv2dBlocked, 'fwd');
add('conv2d.bwd_input.v2', 'conv2d_blocked.wgsl', conv2dBlocked, 'fwd');
add('conv2d.flip_weight.v2', 'conv2d_blocked.wgsl', conv2dBlocked, 'flip', 64, {}, 'conv2d.bwd_input.v2');
add('conv2d.bwd_weight.v2', 'conv2d_wgrad.wgsl', conv2dWgrad, 'wgrad');
add('conv2d.bwd_weight_sum.v2', 'conv2d_wgrad.wgsl', conv2dWgrad, 'wsum', 64, {}, 'conv2d.bwd_weight.v2');
// v3: im2col + the vec4 GEMM (bias folded into the GEMM); the GEMM passes come from CONV_GEMM_KERNELS.
add('conv2d.im2col.v3', 'conv2d_gemm.wgsl', conv2dGemm, 'im2col', 64, {}, 'conv2d.fwd.v3');
add('conv2d.pack_weight.v3', 'conv2d_gemm.wgsl', conv2dGemm, 'pack_w', 64, {}, 'conv2d.fwd.v3');
add('conv2d.pack_grad.v3', 'conv2d_gemm.wgsl', conv2dGemm, 'pack_dy', 64, {}, 'conv2d.bwd_input.v3');
add('conv2d.col2im.v3', 'conv2d_gemm.wgsl', conv2dGemm, 'col2im', 64, {}, 'conv2d.bwd_input.v3');
add('conv2d.unpack_weight.v3', 'conv2d_gemm.wgsl', conv2dGemm, 'unpack_w', 64, {}, 'conv2d.bwd_weight.v3');
add('conv2d.unpack_bias.v3', 'conv2d_gemm.wgsl', conv2dGemm, 'unpack_b', 64, {}, 'conv2d.bwd_weight.v3');
add('pool2d.max_fwd.v1', 'pool2d.wgsl', pool2d, 'max_fwd');
add('pool2d.max_bwd.v1', 'pool2d.wgsl', pool2d, 'max_bwd');
add('pool2d.max_bwd.v2', 'pool2d.wgsl', pool2d, 'max_bwd_tiled');
add('pool2d.avg_fwd.v1', 'pool2d.wgsl', pool2d, 'avg_fwd');
add('pool2d.avg_bwd.v1', 'pool2d.wgsl', pool2d, 'avg_bwd');
add('bias.add.v1', 'bias.wgsl', bias, 'add');
add('bias.grad.v1', 'bias.wgsl', bias, 'grad', 64);
add('bias.grad.v2', 'bias.wgsl', bias, 'grad_serial', 64);
add('relu.fwd.v1', 'activation.wgsl', activation, 'relu_fwd');
add('relu.bwd.v1', 'activation.wgsl', activation, 'relu_bwd');
add('elementwise.add.v1', 'elementwise.wgsl', elementwise, 'add');
add('elementwise.scale.v1', 'elementwise.wgsl', elementwise, 'scale');
add('elementwise.axpy.v1', 'elementwise.wgsl', elementwise, 'axpy');
add('elementwise.fill.v1', 'elementwise.wgsl', elementwise, 'fill');
add('reduce.sum.v1', 'reduce.wgsl', reduce, 'sum', 256);

export const registry: ReadonlyMap<string, KernelDef> = new Map(defs.map((d) => [d.name, d]));

export function kernel(name: string): KernelDef {
  const d = registry.get(name);
  if (!d) throw new Error(`unknown kernel '${name}' (registered: ${[...registry.keys()].join(', ')})`);
  return d;
}

/** All versions of one family/op, oldest first, for tests and benchmarks that sweep versions. */
export function versions(prefix: string): KernelDef[] {
  return defs.filter((d) => d.name.startsWith(`${prefix}.v`)).sort((a, b) => a.version - b.version);
}

/** A short hash of every kernel's code: autotune results are kept per engine build. */
export function kernelsHash(): string {
  let h = 0x811c9dc5;
  for (const d of defs) for (let i = 0; i < d.code.length; i++) h = Math.imul(h ^ d.code.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

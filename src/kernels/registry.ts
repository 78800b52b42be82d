import conv2d from '../../shaders/conv2d.wgsl?raw';
import conv2dBlocked from '../../shaders/conv2d_blocked.wgsl?raw';
import conv2dWgrad from '../../shaders/conv2d_wgrad.wgsl?raw';
import conv2dGemm from '../../shaders/conv2d_gemm.wgsl?raw';

import { kernelDef, type KernelDef } from './contract.js';
import type { AnyFamily } from './family.js';
import { matmulFamily } from './matmul/family.js';
import { avgPool2dFamily, maxPool2dFamily } from './pool2d/family.js';
import { biasFamily } from './bias/family.js';
import { reluFamily } from './activation/family.js';
import { elementwiseFamily } from './elementwise/family.js';
import { reduceFamily } from './reduce/family.js';
import { softmaxXentFamily } from './softmax_xent/family.js';
import { metricsFamily } from './metrics/family.js';
import { dropoutFamily } from './dropout/family.js';
import { optimFamily } from './optim/family.js';
import { dataFamily } from './data/family.js';
import { CONV_GEMM_KERNELS } from '../ops/conv2d_gemm.js';

export type { KernelDef };

/** Every kernel family: the registry, the bench sweep, selftest, the tests and `kernels` iterate this list. */
export const FAMILIES: readonly AnyFamily[] = [matmulFamily,
  maxPool2dFamily, avgPool2dFamily, biasFamily, reluFamily, elementwiseFamily, reduceFamily,
  softmaxXentFamily, metricsFamily, dropoutFamily, optimFamily, dataFamily];

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

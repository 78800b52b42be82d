import conv2d from '../../shaders/conv2d.wgsl?raw';
import conv2dBlocked from '../../shaders/conv2d_blocked.wgsl?raw';
import conv2dWgrad from '../../shaders/conv2d_wgrad.wgsl?raw';
import pool2d from '../../shaders/pool2d.wgsl?raw';
import matmul from '../../shaders/matmul.wgsl?raw';
import matmulBlocked from '../../shaders/matmul_blocked.wgsl?raw';
import matmulVec4 from '../../shaders/matmul_vec4.wgsl?raw';
import conv2dGemm from '../../shaders/conv2d_gemm.wgsl?raw';
import bias from '../../shaders/bias.wgsl?raw';
import activation from '../../shaders/activation.wgsl?raw';
import elementwise from '../../shaders/elementwise.wgsl?raw';
import reduce from '../../shaders/reduce.wgsl?raw';
import softmaxXent from '../../shaders/softmax_xent.wgsl?raw';
import metrics from '../../shaders/metrics.wgsl?raw';
import dropout from '../../shaders/dropout.wgsl?raw';
import optim from '../../shaders/optim.wgsl?raw';
import data from '../../shaders/data.wgsl?raw';

/**
 * One entry per kernel version. The name (`family.op.vN`) is the key of the pipeline cache,
 * the profiler and the bench tables; v1 of every family is the simple baseline that stays.
 */
export interface KernelDef {
  name: string;
  family: string;
  op: string;
  version: number;
  file: string;
  source: string;
  entry: string;
  /** Default override constants; callers may add more (e.g. ACCUMULATE). */
  constants: Record<string, number>;
  /** Invocations per workgroup along x for 1-D kernels (used to size the grid). */
  wg: number;
  /** For a helper pass of a multi-dispatch op: the op it belongs to (it has no v1 of its own). */
  partOf?: string;
}

const defs: KernelDef[] = [];

function add(name: string, file: string, source: string, entry: string, wg = 64, constants: Record<string, number> = {}, partOf?: string): void {
  const m = /^([a-z0-9_]+)\.([a-z0-9_.]+)\.v(\d+)$/.exec(name) ?? /^([a-z0-9_]+)\.v(\d+)$/.exec(name);
  if (!m) throw new Error(`bad kernel name ${name}`);
  const [family, op, version] = m.length === 4 ? [m[1], m[2], m[3]] : [m[1], m[1], m[2]];
  defs.push({ name, family, op, version: Number(version), file, source, entry, constants, wg, partOf });
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
// v3: im2col + the vec4 GEMM (bias folded into the GEMM); the op names label the GEMM dispatch.
add('conv2d.fwd.v3', 'matmul_vec4.wgsl', matmulVec4, 'gemm', 64, { OUT_NCHW: 1 });
add('conv2d.im2col.v3', 'conv2d_gemm.wgsl', conv2dGemm, 'im2col', 64, {}, 'conv2d.fwd.v3');
add('conv2d.pack_weight.v3', 'conv2d_gemm.wgsl', conv2dGemm, 'pack_w', 64, {}, 'conv2d.fwd.v3');
add('conv2d.bwd_input.v3', 'matmul_vec4.wgsl', matmulVec4, 'gemm', 64, { TRANS_A: 1 });
add('conv2d.pack_grad.v3', 'conv2d_gemm.wgsl', conv2dGemm, 'pack_dy', 64, {}, 'conv2d.bwd_input.v3');
add('conv2d.col2im.v3', 'conv2d_gemm.wgsl', conv2dGemm, 'col2im', 64, {}, 'conv2d.bwd_input.v3');
add('conv2d.bwd_weight.v3', 'matmul_vec4.wgsl', matmulVec4, 'gemm', 64, { TRANS_B: 1 });
add('conv2d.unpack_weight.v3', 'conv2d_gemm.wgsl', conv2dGemm, 'unpack_w', 64, {}, 'conv2d.bwd_weight.v3');
add('conv2d.unpack_bias.v3', 'conv2d_gemm.wgsl', conv2dGemm, 'unpack_b', 64, {}, 'conv2d.bwd_weight.v3');
add('pool2d.max_fwd.v1', 'pool2d.wgsl', pool2d, 'max_fwd');
add('pool2d.max_bwd.v1', 'pool2d.wgsl', pool2d, 'max_bwd');
add('pool2d.max_bwd.v2', 'pool2d.wgsl', pool2d, 'max_bwd_tiled');
add('pool2d.avg_fwd.v1', 'pool2d.wgsl', pool2d, 'avg_fwd');
add('pool2d.avg_bwd.v1', 'pool2d.wgsl', pool2d, 'avg_bwd');
add('matmul.v1', 'matmul.wgsl', matmul, 'naive', 8);
add('matmul.v2', 'matmul.wgsl', matmul, 'tiled', 16, { TILE: 16 });
// wg here is the C tile edge one workgroup covers (8x8 invocations x 4x4 blocks).
add('matmul.v3', 'matmul_blocked.wgsl', matmulBlocked, 'blocked', 32);
// v4: vec4 loads along the contiguous axes (needs multiples of 4 there; the op falls back to v3).
add('matmul.v4', 'matmul_vec4.wgsl', matmulVec4, 'gemm', 64);
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
add('softmax_xent.fwd.v1', 'softmax_xent.wgsl', softmaxXent, 'fwd');
add('softmax_xent.fwd_bwd.v1', 'softmax_xent.wgsl', softmaxXent, 'fwd_bwd');
add('softmax_xent.softmax.v1', 'softmax_xent.wgsl', softmaxXent, 'softmax');
add('metrics.argmax.v1', 'metrics.wgsl', metrics, 'argmax');
add('metrics.correct.v1', 'metrics.wgsl', metrics, 'correct');
add('dropout.fwd.v1', 'dropout.wgsl', dropout, 'fwd');
add('dropout.bwd.v1', 'dropout.wgsl', dropout, 'bwd');
add('optim.sgd.v1', 'optim.wgsl', optim, 'sgd');
add('optim.adam.v1', 'optim.wgsl', optim, 'adam');
add('data.gather.v1', 'data.wgsl', data, 'gather');

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

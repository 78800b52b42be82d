import pool2d from '../../shaders/pool2d.wgsl?raw';
import bias from '../../shaders/bias.wgsl?raw';
import activation from '../../shaders/activation.wgsl?raw';
import elementwise from '../../shaders/elementwise.wgsl?raw';
import reduce from '../../shaders/reduce.wgsl?raw';
import softmaxXent from '../../shaders/softmax_xent.wgsl?raw';
import metrics from '../../shaders/metrics.wgsl?raw';
import dropout from '../../shaders/dropout.wgsl?raw';
import optim from '../../shaders/optim.wgsl?raw';
import data from '../../shaders/data.wgsl?raw';

import { kernelDef, type KernelDef } from './contract.js';
import type { AnyFamily } from './family.js';
import { matmulFamily } from './matmul/family.js';
import { conv2dFamily } from './conv2d/family.js';

export type { KernelDef };

/** Every kernel family: the registry, the bench sweep, selftest, the tests and `kernels` iterate this list. */
export const FAMILIES: readonly AnyFamily[] = [matmulFamily, conv2dFamily];

const defs: KernelDef[] = [];

for (const f of FAMILIES) for (const v of f.versions) for (const k of v.kernels) if (!defs.some((d) => d.name === k.name)) defs.push(k);

/** A kernel not yet moved into its family: no named contract to check. */
function add(name: string, file: string, source: string, entry: string, wg = 64, constants: Record<string, number> = {}, partOf?: string): void {
  defs.push({ ...kernelDef({ name, file, source, entry, uniforms: [], bindings: {}, workgroup: wg, constants, partOf }), legacy: true });
}

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

/** A short hash of every kernel's code: autotune results are kept per engine build. */
export function kernelsHash(): string {
  let h = 0x811c9dc5;
  for (const d of defs) for (let i = 0; i < d.code.length; i++) h = Math.imul(h ^ d.code.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

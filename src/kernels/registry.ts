import type { KernelDef } from './contract.js';
import type { AnyFamily } from './family.js';
import { matmulFamily } from './matmul/family.js';
import { conv2dFamily } from './conv2d/family.js';
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
import { batchNormFamily } from './batchnorm/family.js';

export type { KernelDef };

/** Every kernel family: the registry, the bench sweep, selftest, the tests and `kernels` iterate this list. */
export const FAMILIES: readonly AnyFamily[] = [conv2dFamily, matmulFamily,
  maxPool2dFamily, avgPool2dFamily, biasFamily, reluFamily, elementwiseFamily, reduceFamily,
  softmaxXentFamily, metricsFamily, dropoutFamily, optimFamily, dataFamily, batchNormFamily];

const defs: KernelDef[] = [];

for (const f of FAMILIES) for (const v of f.versions) for (const k of v.kernels) if (!defs.some((d) => d.name === k.name)) defs.push(k);

export const registry: ReadonlyMap<string, KernelDef> = new Map(defs.map((d) => [d.name, d]));

export function kernel(name: string): KernelDef {
  const d = registry.get(name);
  if (!d) throw new Error(`unknown kernel '${name}' (registered: ${[...registry.keys()].join(', ')})`);
  return d;
}

/** A short hash of every kernel's code: autotune results are kept per engine build. */
export function kernelsHash(): string {
  let h = 0x811c9dc5;
  for (const d of defs) for (let i = 0; i < d.code.length; i++) h = Math.imul(h ^ d.code.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

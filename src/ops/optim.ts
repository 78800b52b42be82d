import type { GpuContext } from '../gpu/context.js';
import { numel, type Tensor } from '../gpu/buffers.js';
import { expectShape, makeDispatch, packUniform, type OpDispatch } from './common.js';

export interface SgdHyper { lr: number; momentum?: number; weightDecay?: number; nesterov?: boolean }
export interface AdamHyper { lr: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number; decoupled?: boolean }

function finite(what: string, v: number, min = 0): number {
  if (!Number.isFinite(v) || v < min) throw new Error(`${what} must be a finite number >= ${min}, got ${v}`);
  return v;
}

/** The uniform block for one SGD step; rewrite it when the learning rate changes. */
export function sgdUniform(n: number, h: SgdHyper): ArrayBuffer {
  const mu = finite('momentum', h.momentum ?? 0);
  if (h.nesterov && mu === 0) throw new Error('nesterov momentum needs momentum > 0');
  return packUniform([n, { f: finite('lr', h.lr) }, { f: finite('weight decay', h.weightDecay ?? 0) }, { f: mu }, { f: 0 }, { f: 0 }, { f: 0 }, { f: 1 }, { f: 1 }]);
}

/** The uniform block for Adam step `t` (1-based): bias corrections are folded in here. */
export function adamUniform(n: number, h: AdamHyper, t: number): ArrayBuffer {
  const b1 = h.beta1 ?? 0.9;
  const b2 = h.beta2 ?? 0.999;
  if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new Error(`adam betas must be in [0, 1), got ${b1}, ${b2}`);
  if (!Number.isInteger(t) || t < 1) throw new Error(`adam step must be an integer >= 1, got ${t}`);
  const eps = finite('adam eps', h.eps ?? 1e-8);
  return packUniform([n, { f: finite('lr', h.lr) }, { f: finite('weight decay', h.weightDecay ?? 0) }, { f: 0 },
    { f: b1 }, { f: b2 }, { f: eps }, { f: 1 - b1 ** t }, { f: 1 - b2 ** t }]);
}

export function sgdStep(ctx: GpuContext, w: Tensor, grad: Tensor, velocity: Tensor, h: SgdHyper): Promise<OpDispatch> {
  expectShape('sgd grad', grad, w.shape);
  expectShape('sgd velocity', velocity, w.shape);
  const n = numel(w.shape);
  return makeDispatch(ctx, 'optim.sgd.v1', {
    uniform: sgdUniform(n, h), tensors: { 1: grad, 2: w, 3: velocity }, threads: n,
    constants: { NESTEROV: h.nesterov ? 1 : 0 }, flops: 5 * n, bytes: 16 * n,
  });
}

export function adamStep(ctx: GpuContext, w: Tensor, grad: Tensor, m: Tensor, v: Tensor, h: AdamHyper, t = 1): Promise<OpDispatch> {
  for (const [what, s] of [['adam grad', grad], ['adam m', m], ['adam v', v]] as const) expectShape(what, s, w.shape);
  const n = numel(w.shape);
  return makeDispatch(ctx, 'optim.adam.v1', {
    uniform: adamUniform(n, h, t), tensors: { 1: grad, 2: w, 3: m, 4: v }, threads: n,
    constants: { ADAMW: h.decoupled ? 1 : 0 }, flops: 14 * n, bytes: 28 * n,
  });
}

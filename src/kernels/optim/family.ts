// optim: in-place updates of one flat parameter buffer (every layer in one dispatch). SGD with
// momentum, Nesterov and L2 weight decay; Adam with L2 or decoupled (AdamW) weight decay, bias
// corrections computed on the host. Per step only named uniforms change (lr; Adam's corrections),
// rewritten with set(), never a rebuild. v1: one invocation per element. v2: the same, and it
// zeroes each gradient after reading it (the training step then needs no clear pass) and decays
// only elements [0, decayEnd) (biases and normalisation parameters are stored after that).
// The gradient is consumed by a step: v1 leaves it, v2 zeroes it.
import type { GpuContext } from '../../gpu/context.js';
import { numel, type Tensor } from '../../gpu/buffers.js';
import indexSource from '../../../shaders/common/index.wgsl?raw';
import v1Source from '../../../shaders/optim/v1_elementwise.wgsl?raw';
import v2Source from '../../../shaders/optim/v2_fused.wgsl?raw';
import { dispatchKernel, kernelDef, type KernelDef, type KernelDispatch } from '../contract.js';
import { pow2, type Family, type Limits, type Version } from '../family.js';
import { expectShape } from '../shapes.js';
import { flatGridUnfit, withVersion } from '../pick.js';
import { bindingUnfit } from '../unfit.js';

/** decayEnd: weight decay applies to elements [0, decayEnd) only (default: all). */
export interface SgdHyper { lr: number; momentum?: number; weightDecay?: number; nesterov?: boolean; decayEnd?: number }
export interface AdamHyper { lr: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number; decoupled?: boolean; decayEnd?: number }
/** decayEnd < n: a suffix takes no decay; clearGrad: the caller needs each gradient zeroed after use. */
export interface OptimShape { n: number; decayEnd?: number; clearGrad?: boolean }
export interface OptimOpts { version?: string; clearGrad?: boolean }

export interface OptimVersion extends Version<OptimShape> {
  sgd(ctx: GpuContext, w: Tensor, grad: Tensor, velocity: Tensor, s: OptimShape, h: SgdHyper): Promise<KernelDispatch>;
  adam(ctx: GpuContext, w: Tensor, grad: Tensor, m: Tensor, v: Tensor, s: OptimShape, h: AdamHyper, t: number): Promise<KernelDispatch>;
}

const WG = 64;
const UNIFORMS = ['n', 'lr', 'wd', 'mu', 'b1', 'b2', 'eps', 'bc1', 'bc2'];
const def = (op: string, bindings: Record<string, 'read' | 'read_write'>): KernelDef => kernelDef({
  name: `optim.${op}.v1`, file: 'optim/v1_elementwise.wgsl', source: v1Source, include: [indexSource], entry: op,
  uniforms: UNIFORMS, bindings, workgroup: WG,
});
const SGD = def('sgd', { grad: 'read', w: 'read_write', m: 'read_write' });
const ADAM = def('adam', { grad: 'read', w: 'read_write', m: 'read_write', v: 'read_write' });
const def2 = (op: string, bindings: Record<string, 'read' | 'read_write'>): KernelDef => kernelDef({
  name: `optim.${op}.v2`, file: 'optim/v2_fused.wgsl', source: v2Source, include: [indexSource], entry: op,
  uniforms: ['n', 'nd', ...UNIFORMS.slice(1)], bindings, workgroup: WG,
});
const SGD2 = def2('sgd', { grad: 'read_write', w: 'read_write', m: 'read_write' });
const ADAM2 = def2('adam', { grad: 'read_write', w: 'read_write', m: 'read_write', v: 'read_write' });

function finite(what: string, v: number, min = 0): number {
  if (!Number.isFinite(v) || v < min) throw new Error(`${what} must be a finite number >= ${min}, got ${v}`);
  return v;
}

export const checkLr = (lr: number) => finite('lr', lr);

/** SGD's uniform values (Adam's fields unused: bc1 = bc2 = 1). */
function sgdValues(n: number, h: SgdHyper): Record<string, number> {
  const mu = finite('momentum', h.momentum ?? 0);
  if (h.nesterov && mu === 0) throw new Error('nesterov momentum needs momentum > 0');
  return { n, lr: checkLr(h.lr), wd: finite('weight decay', h.weightDecay ?? 0), mu, b1: 0, b2: 0, eps: 0, bc1: 1, bc2: 1 };
}

/** Adam's bias corrections for step t (1-based): 1 - beta^t. */
export function adamCorrections(h: AdamHyper, t: number): { bc1: number; bc2: number } {
  const b1 = h.beta1 ?? 0.9, b2 = h.beta2 ?? 0.999;
  if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new Error(`adam betas must be in [0, 1), got ${b1}, ${b2}`);
  if (!Number.isInteger(t) || t < 1) throw new Error(`adam step must be an integer >= 1, got ${t}`);
  return { bc1: 1 - b1 ** t, bc2: 1 - b2 ** t };
}

function adamValues(n: number, h: AdamHyper, t: number): Record<string, number> {
  const bc = adamCorrections(h, t);
  // eps = 0 divides 0 by 0 wherever a gradient has been zero so far (padding, dead units): NaN.
  const eps = h.eps ?? 1e-8;
  if (!(eps > 0 && Number.isFinite(eps))) throw new Error(`adam eps must be a finite number > 0, got ${eps}`);
  return { n, lr: checkLr(h.lr), wd: finite('weight decay', h.weightDecay ?? 0), mu: 0, b1: h.beta1 ?? 0.9, b2: h.beta2 ?? 0.999, eps, ...bc };
}

/** The shape an op call asks for; decayEnd must lie in [0, n]. */
function shapeOf(n: number, h: { decayEnd?: number }, opts: OptimOpts): Required<OptimShape> {
  const decayEnd = h.decayEnd ?? n;
  if (!Number.isInteger(decayEnd) || decayEnd < 0 || decayEnd > n) throw new Error(`decayEnd must be an integer in [0, ${n}], got ${decayEnd}`);
  return { n, decayEnd, clearGrad: opts.clearGrad ?? false };
}

const sizeUnfit = (s: OptimShape, limits: Limits) => flatGridUnfit(s.n, WG, limits) ?? bindingUnfit('parameters', s.n, limits);

const v1: OptimVersion = {
  name: 'v1', summary: 'one invocation per element', kernels: [SGD, ADAM],
  unfit: (s, limits) => sizeUnfit(s, limits) ??
    (s.clearGrad ? 'leaves each gradient in place (the caller needs it zeroed)' : (s.decayEnd ?? s.n) < s.n ? 'decays every element alike (the caller exempts a suffix)' : null),
  sgd: (ctx, w, grad, velocity, s, h) => dispatchKernel(ctx, SGD, {
    uniforms: sgdValues(s.n, h), bind: { grad, w, m: velocity }, threads: s.n, constants: { NESTEROV: h.nesterov ? 1 : 0 }, flops: 5 * s.n, bytes: 16 * s.n,
  }),
  adam: (ctx, w, grad, m, v, s, h, t) => dispatchKernel(ctx, ADAM, {
    uniforms: adamValues(s.n, h, t), bind: { grad, w, m, v }, threads: s.n, constants: { ADAMW: h.decoupled ? 1 : 0 }, flops: 14 * s.n, bytes: 28 * s.n,
  }),
};

const v2: OptimVersion = {
  name: 'v2', summary: 'one invocation per element; zeroes each gradient, decays a prefix', kernels: [SGD2, ADAM2],
  unfit: sizeUnfit,
  sgd: (ctx, w, grad, velocity, s, h) => dispatchKernel(ctx, SGD2, {
    uniforms: { ...sgdValues(s.n, h), nd: s.decayEnd ?? s.n }, bind: { grad, w, m: velocity }, threads: s.n, constants: { NESTEROV: h.nesterov ? 1 : 0 }, flops: 5 * s.n, bytes: 20 * s.n,
  }),
  adam: (ctx, w, grad, m, v, s, h, t) => dispatchKernel(ctx, ADAM2, {
    uniforms: { ...adamValues(s.n, h, t), nd: s.decayEnd ?? s.n }, bind: { grad, w, m, v }, threads: s.n, constants: { ADAMW: h.decoupled ? 1 : 0 }, flops: 14 * s.n, bytes: 32 * s.n,
  }),
};

export const optimFamily: Family<OptimShape, OptimVersion> = {
  name: 'optim',
  versions: [v1, v2],
  // Where both fit, v1 writes less (v2's extra is the gradient's zeroing, which only the trainer needs).
  order: ['v1', 'v2'],
  bucket: (s) => `${pow2(s.n)}`,
  describe: (s) => `${s.n} parameters${(s.decayEnd ?? s.n) < s.n ? `, decay on ${s.decayEnd}` : ''}${s.clearGrad ? ', gradient cleared' : ''}`,
  // One step of each update rule, so the sweep times both kernels.
  trial: async (ctx, v, s, { rand, out }) => {
    const w = out([s.n]), g = rand([s.n]), m = out([s.n]);
    return [await v.sgd(ctx, w, g, m, s, { lr: 0.01, momentum: 0.9 }), await v.adam(ctx, w, g, m, out([s.n]), s, { lr: 1e-3 }, 1)];
  },
  benchShape: (z) => ({ n: z.n }),
};

export function sgdStep(ctx: GpuContext, w: Tensor, grad: Tensor, velocity: Tensor, h: SgdHyper, opts: OptimOpts = {}): Promise<KernelDispatch> {
  expectShape('sgd grad', grad, w.shape);
  expectShape('sgd velocity', velocity, w.shape);
  const s = shapeOf(numel(w.shape), h, opts);
  sgdValues(s.n, h);
  return withVersion(ctx, optimFamily, s, opts.version, (v) => v.sgd(ctx, w, grad, velocity, s, h));
}

/** Adam step `t` (1-based); later steps rewrite lr, bc1 and bc2 with adamSetStep. */
export function adamStep(ctx: GpuContext, w: Tensor, grad: Tensor, m: Tensor, v: Tensor, h: AdamHyper, t = 1, opts: OptimOpts = {}): Promise<KernelDispatch> {
  for (const [what, x] of [['adam grad', grad], ['adam m', m], ['adam v', v]] as const) expectShape(what, x, w.shape);
  const s = shapeOf(numel(w.shape), h, opts);
  adamValues(s.n, h, t);
  return withVersion(ctx, optimFamily, s, opts.version, (ver) => ver.adam(ctx, w, grad, m, v, s, h, t));
}

/** Per-step rewrite of an sgdStep dispatch: the learning rate. */
export function sgdSetLr(d: KernelDispatch, lr: number): void {
  d.set('lr', checkLr(lr));
}

/** Per-step rewrite of an adamStep dispatch: the learning rate and the bias corrections of step t. */
export function adamSetStep(d: KernelDispatch, h: AdamHyper, t: number, lr: number): void {
  const bc = adamCorrections(h, t);
  d.set('lr', checkLr(lr));
  d.set('bc1', bc.bc1);
  d.set('bc2', bc.bc2);
}

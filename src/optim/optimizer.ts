import type { GpuContext } from '../gpu/context.js';
import type { ParamStore } from '../nn/params.js';
import { adamSetStep, adamStep, sgdSetLr, sgdStep } from '../kernels/optim/family.js';
import type { KernelDispatch } from '../kernels/contract.js';

export interface OptimizerConfig {
  type: 'sgd' | 'adam' | 'adamw';
  lr: number;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/**
 * One dispatch updates every parameter and zeroes its gradient (the next backward accumulates
 * from zero: no clear pass); weight decay skips biases and normalisation parameters (the store
 * keeps them past decayEnd). `prepare` rewrites its lr (and Adam's step t, 1-based) by name.
 */
export interface Optimizer {
  config: OptimizerConfig;
  dispatch: KernelDispatch;
  prepare(t: number, lr: number): void;
}

export async function createOptimizer(ctx: GpuContext, store: ParamStore, config: OptimizerConfig): Promise<Optimizer> {
  const w = store.flat(store.weights), g = store.flat(store.grads);
  const [s0, s1] = store.slots.map((b) => store.flat(b));
  const decayEnd = store.decayEnd, fused = { clearGrad: true };
  if (config.type === 'sgd') {
    const h = { lr: config.lr, momentum: config.momentum ?? 0.9, weightDecay: config.weightDecay ?? 0, nesterov: config.nesterov, decayEnd };
    const dispatch = await sgdStep(ctx, w, g, s0, h, fused);
    return { config, dispatch, prepare: (_t, lr) => sgdSetLr(dispatch, lr) };
  }
  if (config.type === 'adam' || config.type === 'adamw') {
    const h = { lr: config.lr, beta1: config.beta1, beta2: config.beta2, eps: config.eps, weightDecay: config.weightDecay ?? 0, decoupled: config.type === 'adamw', decayEnd };
    const dispatch = await adamStep(ctx, w, g, s0, s1, h, 1, fused);
    return { config, dispatch, prepare: (t, lr) => adamSetStep(dispatch, h, t, lr) };
  }
  throw new Error(`unknown optimizer '${(config as { type: string }).type}' (use sgd, adam or adamw)`);
}

// The optimizer grid shared by the vitest kernel tests and selftest: sizes off the 64-wide
// workgroup (one element too), hyper-parameters covering every branch of both rules, and the
// fused form (gradient zeroed after use, weight decay on a prefix) that only v2 takes.
import type { AdamHyper, OptimOpts, SgdHyper } from './family.js';

export const OPTIM_SIZES = [1, 777, 1037];
export const SGD_CASES: SgdHyper[] = [{ lr: 0.1 }, { lr: 0.05, momentum: 0.9 }, { lr: 0.01, momentum: 0.9, weightDecay: 5e-4, nesterov: true }];
export const ADAM_CASES: AdamHyper[] = [{ lr: 1e-3 }, { lr: 1e-2, beta1: 0.8, beta2: 0.99, weightDecay: 0.01 }, { lr: 1e-2, weightDecay: 0.05, decoupled: true }];

/** How a case is called: plain, or fused with decay on the first 60% of the elements (0 of 1). */
export interface OptimMode { name: string; opts: OptimOpts; decayEnd(n: number): number | undefined }
export const OPTIM_MODES: OptimMode[] = [
  { name: 'plain', opts: {}, decayEnd: () => undefined },
  { name: 'fused', opts: { clearGrad: true }, decayEnd: (n) => Math.floor(0.6 * n) },
];

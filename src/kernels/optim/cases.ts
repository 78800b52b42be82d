// The optimizer grid shared by the vitest kernel tests and selftest: sizes off the 64-wide
// workgroup (one element too), and hyper-parameters covering every branch of both rules.
import type { AdamHyper, SgdHyper } from './family.js';

export const OPTIM_SIZES = [1, 777, 1037];
export const SGD_CASES: SgdHyper[] = [{ lr: 0.1 }, { lr: 0.05, momentum: 0.9 }, { lr: 0.01, momentum: 0.9, weightDecay: 5e-4, nesterov: true }];
export const ADAM_CASES: AdamHyper[] = [{ lr: 1e-3 }, { lr: 1e-2, beta1: 0.8, beta2: 0.99, weightDecay: 0.01 }, { lr: 1e-2, weightDecay: 0.05, decoupled: true }];

// Float64 reference for the optim family, straight from the update rules (PyTorch's conventions).
// Weight decay applies to elements [0, h.decayEnd) only (default: all).
import type { AdamHyper, SgdHyper } from './family.js';

type Arr = ArrayLike<number>;

export function sgdRef(w: Arr, g: Arr, vel: Arr, h: SgdHyper): { w: Float64Array; vel: Float64Array } {
  const mu = h.momentum ?? 0, wd = h.weightDecay ?? 0;
  const W = Float64Array.from(w), V = Float64Array.from(vel);
  for (let i = 0; i < W.length; i++) {
    const gi = g[i] + (i < (h.decayEnd ?? W.length) ? wd : 0) * W[i];
    V[i] = mu * V[i] + gi;
    W[i] -= h.lr * (h.nesterov ? gi + mu * V[i] : V[i]);
  }
  return { w: W, vel: V };
}

export function adamRef(w: Arr, g: Arr, m: Arr, v: Arr, h: AdamHyper, t: number): { w: Float64Array; m: Float64Array; v: Float64Array } {
  const b1 = h.beta1 ?? 0.9, b2 = h.beta2 ?? 0.999, eps = h.eps ?? 1e-8, wd = h.weightDecay ?? 0;
  const W = Float64Array.from(w), M = Float64Array.from(m), V = Float64Array.from(v);
  for (let i = 0; i < W.length; i++) {
    let gi = g[i];
    const wdi = i < (h.decayEnd ?? W.length) ? wd : 0;
    if (h.decoupled) W[i] *= 1 - h.lr * wdi;
    else gi += wdi * W[i];
    M[i] = b1 * M[i] + (1 - b1) * gi;
    V[i] = b2 * V[i] + (1 - b2) * gi * gi;
    const mhat = M[i] / (1 - b1 ** t), vhat = V[i] / (1 - b2 ** t);
    W[i] -= (h.lr * mhat) / (Math.sqrt(vhat) + eps);
  }
  return { w: W, m: M, v: V };
}

// Float64 reference for the batchnorm family: plain loops over x viewed as [N, C, S], nothing
// shared with the kernels. Training mode uses the batch's mean and biased variance.
import type { BnShape } from './family.js';

type Arr = ArrayLike<number>;

function forEach(s: BnShape, visit: (c: number, i: number) => void): void {
  for (let n = 0; n < s.N; n++) for (let c = 0; c < s.C; c++) for (let k = 0; k < s.S; k++) visit(c, (n * s.C + c) * s.S + k);
}

/** Per-channel batch mean and biased variance (two passes). */
export function bnStatsRef(x: Arr, s: BnShape): { mean: Float64Array; variance: Float64Array } {
  const M = s.N * s.S, mean = new Float64Array(s.C), variance = new Float64Array(s.C);
  forEach(s, (c, i) => { mean[c] += x[i] / M; });
  forEach(s, (c, i) => { variance[c] += (x[i] - mean[c]) ** 2 / M; });
  return { mean, variance };
}

/** y = (x - mean) / sqrt(variance + eps) * gamma + beta, per channel. */
export function bnApplyRef(x: Arr, mean: Arr, variance: Arr, gamma: Arr, beta: Arr, s: BnShape, eps: number): Float64Array {
  const y = new Float64Array(s.N * s.C * s.S);
  forEach(s, (c, i) => { y[i] = ((x[i] - mean[c]) / Math.sqrt(variance[c] + eps)) * gamma[c] + beta[c]; });
  return y;
}

/** Training forward: y from the batch statistics, which it also returns. */
export function bnTrainRef(x: Arr, gamma: Arr, beta: Arr, s: BnShape, eps: number) {
  const { mean, variance } = bnStatsRef(x, s);
  return { y: bnApplyRef(x, mean, variance, gamma, beta, s, eps), mean, variance };
}

/** PyTorch's running update: (1 - m) * running + m * batch, the variance unbiased by M / (M - 1). */
export function bnRunningRef(runMean: Arr, runVar: Arr, x: Arr, s: BnShape, momentum: number): { mean: Float64Array; variance: Float64Array } {
  const M = s.N * s.S, b = bnStatsRef(x, s);
  return {
    mean: Float64Array.from(runMean, (r, c) => (1 - momentum) * r + momentum * b.mean[c]),
    variance: Float64Array.from(runVar, (r, c) => (1 - momentum) * r + momentum * b.variance[c] * (M / (M - 1))),
  };
}

/** Gradients of the training forward (the batch statistics depend on x). */
export function bnBackwardRef(x: Arr, gamma: Arr, dy: Arr, s: BnShape, eps: number): { dx: Float64Array; dgamma: Float64Array; dbeta: Float64Array } {
  const M = s.N * s.S, { mean, variance } = bnStatsRef(x, s);
  const inv = Float64Array.from(variance, (v) => 1 / Math.sqrt(v + eps));
  const dgamma = new Float64Array(s.C), dbeta = new Float64Array(s.C), dx = new Float64Array(s.N * s.C * s.S);
  forEach(s, (c, i) => {
    dbeta[c] += dy[i];
    dgamma[c] += dy[i] * (x[i] - mean[c]) * inv[c];
  });
  forEach(s, (c, i) => {
    const xhat = (x[i] - mean[c]) * inv[c];
    dx[i] = gamma[c] * inv[c] * (dy[i] - dbeta[c] / M - (xhat * dgamma[c]) / M);
  });
  return { dx, dgamma, dbeta };
}

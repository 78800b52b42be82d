// Float64 reference for the softmax_xent family: plain loops, max-subtracted like the kernel.
type Arr = ArrayLike<number>;

/**
 * Per-row cross-entropy of softmax(z) against t = (1 - eps) onehot(label) + eps / K (eps = 0: the
 * plain one-hot loss), the probabilities, and the gradient gscale * (p - t).
 */
export function softmaxXentRef(z: Arr, labels: Arr, B: number, K: number, gscale = 1 / B, eps = 0): { loss: Float64Array; dz: Float64Array; probs: Float64Array } {
  const loss = new Float64Array(B), dz = new Float64Array(B * K), probs = new Float64Array(B * K);
  for (let b = 0; b < B; b++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, z[b * K + k]);
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(z[b * K + k] - m);
    for (let k = 0; k < K; k++) {
      const t = (k === labels[b] ? 1 - eps : 0) + eps / K;
      probs[b * K + k] = Math.exp(z[b * K + k] - m) / s;
      loss[b] -= t * (z[b * K + k] - m - Math.log(s));
      dz[b * K + k] = gscale * (probs[b * K + k] - t);
    }
  }
  return { loss, dz, probs };
}

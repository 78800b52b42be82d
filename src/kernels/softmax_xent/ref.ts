// Float64 reference for the softmax_xent family: plain loops, max-subtracted like the kernel.
type Arr = ArrayLike<number>;

/** Per-row cross-entropy of softmax(z), the probabilities, and the gradient gscale*(p - onehot). */
export function softmaxXentRef(z: Arr, labels: Arr, B: number, K: number, gscale = 1 / B): { loss: Float64Array; dz: Float64Array; probs: Float64Array } {
  const loss = new Float64Array(B), dz = new Float64Array(B * K), probs = new Float64Array(B * K);
  for (let b = 0; b < B; b++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, z[b * K + k]);
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(z[b * K + k] - m);
    loss[b] = Math.log(s) + m - z[b * K + labels[b]];
    for (let k = 0; k < K; k++) {
      probs[b * K + k] = Math.exp(z[b * K + k] - m) / s;
      dz[b * K + k] = gscale * (probs[b * K + k] - (k === labels[b] ? 1 : 0));
    }
  }
  return { loss, dz, probs };
}

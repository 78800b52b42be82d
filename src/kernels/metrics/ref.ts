// Float64 reference for the metrics family: plain loops.
type Arr = ArrayLike<number>;

/** The first index of each row's maximum. */
export function argmaxRef(z: Arr, B: number, K: number): Uint32Array {
  const out = new Uint32Array(B);
  for (let b = 0; b < B; b++) {
    let at = 0;
    for (let k = 1; k < K; k++) if (z[b * K + k] > z[b * K + at]) at = k;
    out[b] = at;
  }
  return out;
}

/** Rows whose argmax equals the label. */
export function correctRef(z: Arr, labels: Arr, B: number, K: number): number {
  return argmaxRef(z, B, K).filter((p, i) => p === labels[i]).length;
}

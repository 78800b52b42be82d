// Float64 references for matmul, elementwise ops, reductions, loss and metrics.
type Arr = ArrayLike<number>;

/** C = op(A) op(B) with op(A) [M,K], op(B) [K,N]; transA: A stored [K,M]; transB: B stored [N,K]. */
export function matmulRef(A: Arr, B: Arr, M: number, N: number, K: number, transA = false, transB = false): Float64Array {
  const C = new Float64Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (transA ? A[k * M + m] : A[m * K + k]) * (transB ? B[n * K + k] : B[k * N + n]);
      C[m * N + n] = s;
    }
  return C;
}

export const reluRef = (x: Arr) => Float64Array.from(x, (v) => (v > 0 ? v : 0));
export const reluBwdRef = (x: Arr, dy: Arr) => Float64Array.from(x, (v, i) => (v > 0 ? dy[i] : 0));

export function sumRef(x: Arr): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

/** Per-row cross-entropy of softmax(z) and its gradient gscale*(p - onehot). */
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

export function argmaxRef(z: Arr, B: number, K: number): Uint32Array {
  const out = new Uint32Array(B);
  for (let b = 0; b < B; b++) {
    let at = 0;
    for (let k = 1; k < K; k++) if (z[b * K + k] > z[b * K + at]) at = k;
    out[b] = at;
  }
  return out;
}

// Float64 reference for the matmul family: plain loops, no tiling, nothing shared with the kernels.
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

/**
 * A fused GEMM: A' = A where y > 0 else 0 (y stored like A; all of A without y), then
 * C = op(A') op(B) (+ bias[n]) (then max(., 0) with relu) (then 0 where z <= 0, z stored like C)
 * and sums[m] = sum_k op(A')[m,k].
 */
export function matmulFusedRef(A: Arr, B: Arr, M: number, N: number, K: number, transA: boolean, transB: boolean,
  f: { y?: Arr; bias?: Arr; relu?: boolean; z?: Arr }): { C: Float64Array; sums: Float64Array } {
  const a = Float64Array.from(A, (v, i) => (!f.y || f.y[i] > 0 ? v : 0));
  const C = matmulRef(a, B, M, N, K, transA, transB), sums = new Float64Array(M);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) sums[m] += transA ? a[k * M + m] : a[m * K + k];
    for (let n = 0; n < N; n++) {
      const v = C[m * N + n] + (f.bias ? f.bias[n] : 0);
      C[m * N + n] = f.z && !(f.z[m * N + n] > 0) ? 0 : f.relu ? Math.max(v, 0) : v;
    }
  }
  return { C, sums };
}

/** A dense layer y = x W^T + b (x [B,I], W [O,I], b [O]), then max(y, 0) with relu. */
export function linearRef(x: Arr, w: Arr, b: Arr, B: number, I: number, O: number, relu: boolean): Float64Array {
  const y = new Float64Array(B * O);
  for (let n = 0; n < B; n++)
    for (let o = 0; o < O; o++) {
      let s = b[o];
      for (let i = 0; i < I; i++) s += x[n * I + i] * w[o * I + i];
      y[n * O + o] = relu && s <= 0 ? 0 : s;
    }
  return y;
}

/** linearRef's gradients given dy (w.r.t. its output y): with relu, dy counts where y > 0. */
export function linearBwdRef(x: Arr, w: Arr, y: Arr, dy: Arr, B: number, I: number, O: number, relu: boolean): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const dx = new Float64Array(B * I), dw = new Float64Array(O * I), db = new Float64Array(O);
  for (let n = 0; n < B; n++)
    for (let o = 0; o < O; o++) {
      const g = relu && !(y[n * O + o] > 0) ? 0 : dy[n * O + o];
      db[o] += g;
      for (let i = 0; i < I; i++) {
        dx[n * I + i] += g * w[o * I + i];
        dw[o * I + i] += g * x[n * I + i];
      }
    }
  return { dx, dw, db };
}

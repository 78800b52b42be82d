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

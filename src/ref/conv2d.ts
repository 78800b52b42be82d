// Float64 references for the bias ops, viewing a tensor as [N, C, S] (the conv2d references are in
// src/kernels/conv2d/ref.ts); plain loops.
type Arr = ArrayLike<number>;

/** db[c] = sum of dy over n and the trailing S elements, for dy viewed as [N, C, S]. */
export function biasGradRef(dy: Arr, N: number, C: number, S: number): Float64Array {
  const db = new Float64Array(C);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) db[c] += dy[(n * C + c) * S + s];
  return db;
}

export function biasAddRef(y: Arr, b: Arr, N: number, C: number, S: number): Float64Array {
  const out = Float64Array.from(y);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) out[(n * C + c) * S + s] += b[c];
  return out;
}

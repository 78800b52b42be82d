// Float64 reference for relu: plain element-wise loops.
type Arr = ArrayLike<number>;

export function reluRef(x: Arr): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
  return y;
}

/** dx = dy where x > 0, else 0 (0 at x == 0, as PyTorch). */
export function reluBwdRef(x: Arr, dy: Arr): Float64Array {
  const dx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
  return dx;
}

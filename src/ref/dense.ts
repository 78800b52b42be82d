// Float64 references for elementwise ops and reductions.
type Arr = ArrayLike<number>;

export const reluRef = (x: Arr) => Float64Array.from(x, (v) => (v > 0 ? v : 0));
export const reluBwdRef = (x: Arr, dy: Arr) => Float64Array.from(x, (v, i) => (v > 0 ? dy[i] : 0));

export function sumRef(x: Arr): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

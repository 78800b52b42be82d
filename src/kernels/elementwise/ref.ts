// Float64 reference for the elementwise family: plain loops.
type Arr = ArrayLike<number>;

const map = (n: number, f: (i: number) => number) => {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
};

export const addRef = (a: Arr, b: Arr) => map(a.length, (i) => a[i] + b[i]);
export const scaleRef = (a: Arr, alpha: number) => map(a.length, (i) => alpha * a[i]);
/** out + alpha * a: the accumulated result. */
export const axpyRef = (alpha: number, a: Arr, out: Arr) => map(a.length, (i) => out[i] + alpha * a[i]);
export const fillRef = (n: number, value: number) => map(n, () => value);

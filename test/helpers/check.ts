/**
 * |got - want| <= atol + rtol*|want| element-wise (NaN always fails). Throws with the max error
 * and the first failing index so a broken kernel says where it broke.
 */
export function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number): void {
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length}, expected ${want.length}`);
  let maxErr = 0, firstBad = -1, bad = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    const ok = err <= atol + rtol * Math.abs(want[i]);
    if (!ok) {
      bad++;
      if (firstBad < 0) firstBad = i;
    }
    if (!(err <= maxErr)) maxErr = err; // NaN sticks
  }
  if (bad) {
    throw new Error(`${label}: ${bad}/${want.length} elements off (atol ${atol}, rtol ${rtol}); max |err| ${maxErr}; ` +
      `first bad index ${firstBad}: got ${got[firstBad]}, want ${want[firstBad]}`);
  }
}

export function expectEqual(label: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length}, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) throw new Error(`${label}: first mismatch at index ${i}: got ${got[i]}, want ${want[i]}`);
  }
}

/** Tolerances used across the kernel tests. */
export const FWD = { atol: 1e-5, rtol: 1e-4 };
export const GRAD = { atol: 1e-4, rtol: 1e-3 };

// How a GPU result is judged against its float64 reference, shared by the vitest tests and
// selftest: |got - want| <= atol + rtol*|want| element-wise (NaN always fails, so an output left
// poisoned fails). A failure names what was compared, the max error and the first bad index.

/** One comparison that did not hold, in words. */
export interface Failure { what: string; message: string }

/** Tolerances used across the kernel checks. */
export const FWD = { atol: 1e-5, rtol: 1e-4 };
export const GRAD = { atol: 1e-4, rtol: 1e-3 };

export function close(what: string, got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number): Failure | null {
  if (got.length !== want.length) return { what, message: `length ${got.length}, expected ${want.length}` };
  let maxErr = 0, firstBad = -1, bad = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= atol + rtol * Math.abs(want[i]))) {
      bad++;
      if (firstBad < 0) firstBad = i;
    }
    if (!(err <= maxErr)) maxErr = err; // NaN sticks
  }
  if (!bad) return null;
  return {
    what, message: `${bad}/${want.length} elements off (atol ${atol}, rtol ${rtol}); max |err| ${maxErr}; ` +
      `first bad index ${firstBad}: got ${got[firstBad]}, want ${want[firstBad]}`,
  };
}

export function equal(what: string, got: ArrayLike<number>, want: ArrayLike<number>): Failure | null {
  if (got.length !== want.length) return { what, message: `length ${got.length}, expected ${want.length}` };
  let bad = 0, first = -1;
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) { bad++; if (first < 0) first = i; }
  return bad ? { what, message: `${bad}/${want.length} differ; first bad index ${first}: got ${got[first]}, want ${want[first]}` } : null;
}

/** A version unfit for a shape must refuse with its reason (`family.vN: why`), never run and guess. */
export async function refuses(what: string, call: () => unknown, expected: string): Promise<Failure | null> {
  try {
    await call();
  } catch (e) {
    const m = (e as Error).message;
    return m.includes(expected) ? null : { what, message: `refused with '${m}', expected '${expected}'` };
  }
  return { what, message: `ran, but should refuse with '${expected}'` };
}

export const formatFailures = (fs: readonly Failure[]) => fs.map((f) => `${f.what}: ${f.message}`).join('; ');

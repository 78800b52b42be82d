// The comparisons of src/selftest/compare.ts as vitest assertions: a failure throws with the max
// error and the first failing index so a broken kernel says where it broke.
import { close, equal, FWD, GRAD } from '../../src/selftest/compare.js';

export { FWD, GRAD };

export function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number): void {
  const f = close(label, got, want, atol, rtol);
  if (f) throw new Error(`${label}: ${f.message}`);
}

export function expectEqual(label: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  const f = equal(label, got, want);
  if (f) throw new Error(`${label}: ${f.message}`);
}

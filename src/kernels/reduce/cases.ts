// Sizes for reduce, shared with selftest: one element, around the 256-wide workgroup, and a
// large odd n where every invocation sums many strided values.
import type { ReduceShape } from './family.js';

export const REDUCE_CASES: ReduceShape[] = [1, 255, 256, 257, 10007].map((n) => ({ n }));

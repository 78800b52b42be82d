// The bias shape grid ([N, C, S]) shared by the vitest kernel tests and selftest: single
// elements, dense layers (S=1; C=130 spans three 64-wide workgroups of v2), conv-like planes with
// odd S, and per-channel sums past v1's 64-wide strides and past the 4,096 of the built-in order.
import type { BiasShape } from './family.js';

export const BIAS_CASES: BiasShape[] = [[1, 1, 1], [3, 7, 1], [64, 130, 1], [2, 3, 25], [3, 7, 25], [5, 16, 13], [2, 5, 301], [3, 2, 1500]]
  .map(([N, C, S]) => ({ N, C, S }));

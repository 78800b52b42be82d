// The softmax_xent shape grid shared by the vitest kernel tests and selftest: one row and one
// class, rows straddling the 64-row workgroup (65, 130), odd class counts.
import type { XentShape } from './family.js';

export const XENT_CASES: XentShape[] = [[1, 1], [1, 10], [7, 10], [64, 10], [65, 3], [130, 17]].map(([B, K]) => ({ B, K }));

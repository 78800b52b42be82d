// Flat sizes for relu, shared with selftest: one element, around the 64-wide workgroup, and a
// size that leaves a partial last workgroup.
import type { ReluShape } from './family.js';

export const RELU_CASES: ReluShape[] = [1, 63, 64, 65, 1000, 4097].map((n) => ({ n }));

// Flat sizes for the elementwise ops, shared with selftest: one element, around the 64-wide
// workgroup, and a size that leaves a partial last workgroup.
import type { ElementwiseShape } from './family.js';

export const ELEMENTWISE_CASES: ElementwiseShape[] = [1, 63, 64, 65, 1000, 4097].map((n) => ({ n }));

// The matmul shape grid shared by the vitest kernel tests and selftest. Odd sizes straddle the 8x8
// and 16x16 tiles; K=1 and M=1 cover degenerate shapes; [5,12,8], [12,20,36], [68,84,132] give v4
// odd M (or N with B^T) in every mode, where it must refuse, not guess.
import type { MatmulShape } from './family.js';

const SIZES: Array<[number, number, number]> = [[1, 1, 1], [1, 10, 7], [7, 5, 3], [17, 33, 19], [64, 10, 120], [33, 65, 129], [5, 12, 8], [12, 20, 36], [68, 84, 132], [9, 7, 4]];
const MODES = [[false, false], [false, true], [true, false], [true, true]] as const;

export const MATMUL_CASES: MatmulShape[] = SIZES.flatMap(([M, N, K]) => MODES.map(([transA, transB]) => ({ M, N, K, transA, transB })));

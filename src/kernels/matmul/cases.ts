// The matmul shape grid shared by the vitest kernel tests and selftest. Odd sizes straddle the 8x8
// and 16x16 tiles; K=1 and M=1 cover degenerate shapes; [5,12,8], [12,20,36], [68,84,132] give v4
// odd M (or N with B^T) in every mode, where it must refuse, not guess. The fused cases below
// cover what v5 and v6 add.
import type { MatmulShape } from './family.js';

const SIZES: Array<[number, number, number]> = [[1, 1, 1], [1, 10, 7], [7, 5, 3], [17, 33, 19], [64, 10, 120], [33, 65, 129], [5, 12, 8], [12, 20, 36], [68, 84, 132], [9, 7, 4]];
const MODES = [[false, false], [false, true], [true, false], [true, true]] as const;

export const MATMUL_CASES: MatmulShape[] = SIZES.flatMap(([M, N, K]) => MODES.map(([transA, transB]) => ({ M, N, K, transA, transB })));

/** [batch, in, out] of a dense layer: aligned (v5 fits), odd (only v6), LeNet's 400->120 and 84->10. */
const LAYERS: Array<[number, number, number]> = [[4, 8, 12], [3, 7, 5], [1, 12, 1], [17, 33, 19], [8, 12, 20], [64, 400, 120], [64, 84, 10]];

/**
 * A dense layer's three fused GEMMs at each size, with and without ReLU: the forward (bias and
 * ReLU epilogue), dW with the bias gradient as row sums and dx, both reading the output gradient
 * through ReLU's mask; dx also stored through the mask of the ReLU before the layer, alone and
 * with the load mask.
 */
export const MATMUL_FUSED_CASES: MatmulShape[] = LAYERS.flatMap(([B, I, O]) => [true, false].flatMap((relu) => [
  { M: B, N: O, K: I, transA: false, transB: true, fuse: { bias: true, relu } },
  { M: O, N: I, K: B, transA: true, transB: false, fuse: { maskA: relu, rowSums: true } },
  { M: B, N: I, K: O, transA: false, transB: false, fuse: { maskA: relu, maskC: true } },
  ...(relu ? [{ M: B, N: I, K: O, transA: false, transB: false, fuse: { maskA: true } }] : []),
]));

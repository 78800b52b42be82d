// The conv2d shape grid shared by the vitest kernel tests and selftest: every kernel size (1, 3, 5)
// x stride (1, 2) x padding (0, 1), each with C=1 and C=3; odd, non-square spatial sizes and batch
// 1/2 so no dimension lines up with a workgroup or a 4-wide block. N=37, K=7 splits v2's weight
// gradient into uneven batch chunks and v3's into several split-K slices.
import { conv2dGeom, type Conv2dGeom } from './geometry.js';

function grid(): Conv2dGeom[] {
  const out: Conv2dGeom[] = [];
  for (const k of [1, 3, 5])
    for (const stride of [1, 2])
      for (const padding of [0, 1])
        for (const C of [1, 3]) {
          const i = out.length;
          const N = 1 + (i % 2), H = k + 4 + (i % 3), W = k + 6 - (i % 2), K = [1, 2, 5][i % 3];
          out.push(conv2dGeom([N, C, H, W], [K, C, k, k], { stride, padding }));
        }
  return out;
}

export const CONV2D_CASES: Conv2dGeom[] = [...grid(), conv2dGeom([37, 3, 6, 9], [7, 3, 3, 3], { padding: 1 })];

/** Shapes for the accumulate paths: a stride-2 layer and the chunked/split batch. */
export const CONV2D_ACCUMULATE_CASES: Conv2dGeom[] = [
  conv2dGeom([3, 3, 11, 9], [4, 3, 3, 3], { stride: 2, padding: 1 }),
  conv2dGeom([37, 3, 6, 9], [7, 3, 3, 3], { padding: 1 }),
];

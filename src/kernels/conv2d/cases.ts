// The conv2d shape grid shared by the vitest kernel tests and selftest: every kernel size (1, 3, 5)
// x stride (1, 2) x padding (0, 1), each with C=1 and C=3; odd, non-square spatial sizes and batch
// 1/2 so no dimension lines up with a workgroup or a 4-wide block. N=37, K=7 splits v2's weight
// gradient into uneven batch chunks and v3's into several split-K slices. Then v4's tile edges
// (16 channels, 16 pixels x 32 invocations, 32 staged taps, 16 taps + the bias column per weight
// tile), each also with the ReLU.
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

/** Sizes off v4's tiles: K=17 and C=20 (a 16-row tile and one more), K=1, C=1, batch 1 and 5, 1,980 output pixels (not a multiple of 512), 75 and 153 reduction steps (not multiples of 32), 15 and 16 weight taps (the bias column last in a 16-tap tile, then alone in the next), a 7x7 kernel (49 staged steps; too wide for the input gradient's sliding columns). */
function tileEdges(): Conv2dGeom[] {
  const shapes: Array<[number[], number[], number, number]> = [
    [[5, 3, 13, 11], [17, 3, 3, 3], 1, 1],
    [[1, 1, 9, 7], [1, 1, 3, 3], 2, 1],
    [[5, 20, 7, 6], [3, 20, 1, 1], 1, 0],
    [[2, 3, 30, 33], [6, 3, 5, 5], 1, 2],
    [[1, 1, 8, 9], [4, 1, 3, 5], 2, 1],
    [[2, 1, 6, 7], [5, 1, 4, 4], 1, 1],
    [[2, 2, 12, 11], [3, 2, 7, 7], 1, 3],
  ];
  return shapes.flatMap(([x, w, stride, padding]) => [false, true].map((relu) => conv2dGeom(x, w, { stride, padding, relu })));
}

export const CONV2D_CASES: Conv2dGeom[] = [...grid(), conv2dGeom([37, 3, 6, 9], [7, 3, 3, 3], { padding: 1 }), ...tileEdges()];

/** Shapes for the accumulate paths: a stride-2 layer, the chunked/split batch, and a ReLU layer. */
export const CONV2D_ACCUMULATE_CASES: Conv2dGeom[] = [
  conv2dGeom([3, 3, 11, 9], [4, 3, 3, 3], { stride: 2, padding: 1 }),
  conv2dGeom([37, 3, 6, 9], [7, 3, 3, 3], { padding: 1 }),
  conv2dGeom([3, 3, 11, 9], [4, 3, 3, 3], { stride: 2, padding: 1, relu: true }),
];

/**
 * v5 with its weight gradient in Z chunks of the N*OH*OW pixels, the last ragged: batch 1 and
 * more, C=1, 3 and 20, K=17 (two row tiles), stride 1 and 2, padding 0 and 1, chunks shorter and
 * longer than a workgroup's 64 invocations (its walk carrying across rows and images), an image
 * row wider than 64; each also with the ReLU.
 */
export const CONV2D_SPLIT_CASES: Array<{ g: Conv2dGeom; Z: number }> = ([
  [[1, 1, 9, 70], [3, 1, 3, 3], 1, 1, 4],
  [[13, 3, 11, 9], [5, 3, 3, 3], 2, 1, 4],
  [[2, 3, 10, 12], [17, 3, 3, 3], 1, 0, 3],
  [[1, 3, 15, 13], [4, 3, 5, 5], 2, 0, 4],
  [[5, 1, 7, 6], [2, 1, 1, 1], 1, 0, 4],
  [[4, 20, 6, 5], [6, 20, 3, 3], 1, 1, 7],
  [[2, 2, 33, 31], [3, 2, 3, 3], 2, 1, 3],
] as const).flatMap(([x, w, stride, padding, Z]) => [false, true].map((relu) => ({ g: conv2dGeom(x, w, { stride, padding, relu }), Z })));

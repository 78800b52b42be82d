// The pool2d shape grid shared by the vitest kernel tests and selftest: windows 2, 3, 5 with stride
// 1 and 2, padding 0 and 1, C=1 and 3, batch 1 and 2, odd sizes; then windows that tile the
// input (stride = kernel, no padding), with and without an uncovered remainder row/column, where
// maxpool2d v2 runs instead of refusing.
import { pool2dGeom, type Pool2dArgs, type Pool2dGeom } from './family.js';

export interface Pool2dCase { x: [number, number, number, number]; args: Pool2dArgs; g: Pool2dGeom }

const cases: Array<Omit<Pool2dCase, 'g'>> = [];
for (const k of [2, 3, 5])
  for (const stride of [1, 2])
    for (const pad of [0, 1])
      for (const C of [1, 3]) {
        const i = cases.length;
        cases.push({ x: [1 + (i % 2), C, k + 3 + (i % 4), k + 6 - (i % 3)], args: { kernel: k, stride, padding: pad } });
      }
for (const [N, C, H, W, k] of [[2, 3, 7, 9, 2], [1, 1, 9, 10, 3], [2, 2, 8, 8, 2], [1, 3, 5, 5, 5]]) cases.push({ x: [N, C, H, W], args: { kernel: k } });

export const POOL2D_CASES: Pool2dCase[] = cases.map((c) => ({ ...c, g: pool2dGeom(c.x, c.args) }));

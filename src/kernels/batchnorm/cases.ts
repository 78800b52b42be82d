// The batchnorm shape grid shared by the vitest kernel tests and selftest: BatchNorm2d inputs
// [N, C, H, W] (batch 1 and more, C = 1 and 3, odd planes, a channel of 64*28*28 values as in an
// MNIST conv layer at batch 64, far past one workgroup's stride) and BatchNorm1d inputs [N, F]
// (F = 130 spans three 64-wide workgroups). `offset` shifts x away from zero: a variance taken as
// E[x^2] - mean^2 in f32 loses its digits there, the two-pass one does not.
import type { BnShape } from './family.js';

export interface BnCase { x: number[]; s: BnShape; offset: number }

const shapes: Array<[number[], number]> = [
  [[2, 3, 5, 7], 0], [[1, 3, 4, 5], 0], [[3, 1, 7, 9], 0], [[2, 3, 1, 1], 0], [[5, 2, 16, 16], 0],
  [[64, 1, 28, 28], 0], [[4, 3, 9, 11], 40],
  [[2, 5], 0], [[7, 3], 0], [[64, 130], 0], [[3, 1], 0], [[16, 4], 40],
];

export const BN_CASES: BnCase[] = shapes.map(([x, offset]) => ({ x, offset, s: { N: x[0], C: x[1], S: x.slice(2).reduce((a, b) => a * b, 1) } }));

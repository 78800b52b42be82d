// The gather grid shared by the vitest kernel tests and selftest: MNIST-sized and odd images,
// ragged tails (positions past the end), a one-image set, with and without augmentation.
export interface GatherCase { H: number; W: number; count: number; B: number; start: number; aug: boolean }

export const GATHER_CASES: GatherCase[] = [
  { H: 28, W: 28, count: 9, B: 4, start: 3, aug: false },
  { H: 5, W: 9, count: 7, B: 4, start: 5, aug: false }, // positions 7, 8 past the end
  { H: 5, W: 5, count: 3, B: 2, start: 3, aug: false }, // the whole batch past the end
  { H: 28, W: 28, count: 9, B: 5, start: 2, aug: true },
  { H: 7, W: 11, count: 6, B: 6, start: 0, aug: true },
  { H: 3, W: 3, count: 1, B: 1, start: 0, aug: true },
];

// The dropout grid shared by the vitest kernel tests and selftest: one element, sizes off the
// 64-wide workgroup, rates from light to heavy, seeds using all 32 bits.
export interface DropoutCase { n: number; rate: number; seed: number }

export const DROPOUT_CASES: DropoutCase[] = [
  { n: 1, rate: 0.5, seed: 1 }, { n: 1000, rate: 0.1, seed: 7 }, { n: 4097, rate: 0.5, seed: 12345 }, { n: 3001, rate: 0.9, seed: 0xdeadbeef },
  { n: 130, rate: 0, seed: 3 },
];

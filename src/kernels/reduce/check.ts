// reduce's checks against the float64 reference, run by the vitest kernel tests and selftest: sum
// and mean for every version at every size of the grid.
import { close, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { reduceFamily, reduceSum } from './family.js';
import { REDUCE_CASES } from './cases.js';
import { sumRef } from './ref.js';

async function sum(io: CaseIO, version: string, n: number) {
  const x = io.rand([n], n * 3);
  const s = io.output([1]), m = io.output([1]);
  const why = reduceFamily.versions.find((v) => v.name === version)!.unfit({ n }, io.ctx.limits);
  if (why) return failures(await refuses('unfit', () => reduceSum(io.ctx, x.t, s, { version }), `reduce.${version}: ${why}`));
  await io.exec(reduceSum(io.ctx, x.t, s, { version }), reduceSum(io.ctx, x.t, m, { mean: true, version }));
  const want = sumRef(x.v);
  return failures(close('sum', await io.read(s), [want], 1e-5 * Math.sqrt(n), 1e-4), close('mean', await io.read(m), [want / n], 1e-5, 1e-4));
}

export const reduceChecks = (): Case[] => reduceFamily.versions.flatMap((v) =>
  REDUCE_CASES.map((s): Case => ({ group: 'reduce', name: v.name, shape: reduceFamily.describe(s), run: (io) => sum(io, v.name, s.n) })));

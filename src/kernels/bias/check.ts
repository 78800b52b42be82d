// bias's checks against the float64 reference, run by the vitest kernel tests and selftest: every
// version at every shape of the grid: the add, and the gradient fresh and accumulated.
import { close, FWD, GRAD, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { biasAdd, biasFamily, biasGrad, type BiasShape } from './family.js';
import { BIAS_CASES } from './cases.js';
import { biasAddRef, biasGradRef } from './ref.js';

async function bias(io: CaseIO, version: string, s: BiasShape) {
  const { N, C, S } = s;
  const y = io.rand([N, C, S], N * C * S), b = io.rand([C], C);
  const dy = io.rand([N, C, S], N + C + S), db = io.output([C]), db0 = io.rand([C], C + 1);
  const why = biasFamily.versions.find((v) => v.name === version)!.unfit(s, io.ctx.limits);
  if (why) return failures(await refuses('unfit', () => biasGrad(io.ctx, dy.t, db, { version }), `bias.${version}: ${why}`));
  await io.exec(biasAdd(io.ctx, y.t, b.t, version));
  const added = close('bias add', await io.read(y.t), biasAddRef(y.v, b.v, N, C, S), FWD.atol, FWD.rtol);
  await io.exec(biasGrad(io.ctx, dy.t, db, { version }), biasGrad(io.ctx, dy.t, db0.t, { version, accumulate: true }));
  const want = biasGradRef(dy.v, N, C, S);
  return failures(added, close('db', await io.read(db), want, GRAD.atol, GRAD.rtol),
    close('db +=', await io.read(db0.t), want.map((v, i) => v + db0.v[i]), GRAD.atol, GRAD.rtol));
}

export const biasChecks = (): Case[] => biasFamily.versions.flatMap((v) =>
  BIAS_CASES.map((s): Case => ({ group: 'bias', name: v.name, shape: biasFamily.describe(s), run: (io) => bias(io, v.name, s) })));

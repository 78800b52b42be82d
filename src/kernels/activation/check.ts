// relu's checks against the float64 reference, run by the vitest kernel tests and selftest: every
// version at every size of the grid, forward and backward, exact.
import { close, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { reluBackward, reluFamily, reluForward } from './family.js';
import { RELU_CASES } from './cases.js';
import { reluBwdRef, reluRef } from './ref.js';

async function relu(io: CaseIO, version: string, n: number) {
  const x = io.rand([n], n), dy = io.rand([n], n + 1);
  const y = io.output([n]), dx = io.output([n]);
  const why = reluFamily.versions.find((v) => v.name === version)!.unfit({ n }, io.ctx.limits);
  if (why) return failures(await refuses('unfit', () => reluForward(io.ctx, x.t, y, version), `relu.${version}: ${why}`));
  await io.exec(reluForward(io.ctx, x.t, y, version), reluBackward(io.ctx, x.t, dy.t, dx, version));
  return failures(close('relu fwd', await io.read(y), reluRef(x.v), 0, 0), close('relu bwd', await io.read(dx), reluBwdRef(x.v, dy.v), 0, 0));
}

export const reluChecks = (): Case[] => reluFamily.versions.flatMap((v) =>
  RELU_CASES.map((s): Case => ({ group: 'relu', name: v.name, shape: reluFamily.describe(s), run: (io) => relu(io, v.name, s.n) })));

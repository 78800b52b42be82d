// The elementwise ops' checks against the float64 reference, run by the vitest kernel tests and
// selftest: add, scale, axpy and fill for every version at every size of the grid.
import { close, FWD, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { add, axpy, elementwiseFamily, fill, scale } from './family.js';
import { ELEMENTWISE_CASES } from './cases.js';
import { addRef, axpyRef, fillRef, scaleRef } from './ref.js';

async function ops(io: CaseIO, version: string, n: number) {
  const x = io.rand([n], n), b = io.rand([n], n + 2), acc = io.rand([n], n + 3);
  const s = io.output([n]), sc = io.output([n]), f = io.output([n]);
  const why = elementwiseFamily.versions.find((v) => v.name === version)!.unfit({ n }, io.ctx.limits);
  if (why) return failures(await refuses('unfit', () => add(io.ctx, x.t, b.t, s, version), `elementwise.${version}: ${why}`));
  const ctx = io.ctx;
  await io.exec(add(ctx, x.t, b.t, s, version), scale(ctx, x.t, -0.75, sc, version), axpy(ctx, 0.5, x.t, acc.t, version), fill(ctx, f, 0.25, version));
  return failures(close('add', await io.read(s), addRef(x.v, b.v), FWD.atol, FWD.rtol),
    close('scale', await io.read(sc), scaleRef(x.v, -0.75), FWD.atol, FWD.rtol),
    close('axpy', await io.read(acc.t), axpyRef(0.5, x.v, acc.v), FWD.atol, FWD.rtol),
    close('fill', await io.read(f), fillRef(n, 0.25), 0, 0));
}

export const elementwiseChecks = (): Case[] => elementwiseFamily.versions.flatMap((v) =>
  ELEMENTWISE_CASES.map((s): Case => ({ group: 'elementwise', name: v.name, shape: elementwiseFamily.describe(s), run: (io) => ops(io, v.name, s.n) })));

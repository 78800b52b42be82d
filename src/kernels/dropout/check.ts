// dropout's checks against its CPU twin, run by the vitest kernel tests and selftest: the mask
// from (seed, index) and the masked forward and backward, for every version at every case.
import { close, FWD, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { dropoutBackward, dropoutFamily, dropoutForward } from './family.js';
import { DROPOUT_CASES, type DropoutCase } from './cases.js';
import { dropoutMaskRef } from './ref.js';

async function dropout(io: CaseIO, version: string, { n, rate, seed }: DropoutCase) {
  const ctx = io.ctx;
  const x = io.rand([n], n), dy = io.rand([n], n + 1);
  const mask = io.output([n]), y = io.output([n]), dx = io.output([n]);
  const why = dropoutFamily.versions.find((v) => v.name === version)!.unfit({ n }, ctx.limits);
  if (why) return failures(await refuses('unfit', () => dropoutForward(ctx, x.t, mask, y, rate, seed, { version }), `dropout.${version}: ${why}`));
  await io.exec(dropoutForward(ctx, x.t, mask, y, rate, seed, { version }), dropoutBackward(ctx, dy.t, mask, dx, { version }));
  const m = dropoutMaskRef(n, seed, rate);
  return failures(close('mask', await io.read(mask), m, 0, 1e-6),
    close('y', await io.read(y), Array.from(x.v, (v, i) => v * m[i]), FWD.atol, FWD.rtol),
    close('dx', await io.read(dx), Array.from(dy.v, (v, i) => v * m[i]), FWD.atol, FWD.rtol));
}

export const dropoutChecks = (): Case[] => dropoutFamily.versions.flatMap((v) =>
  DROPOUT_CASES.map((c): Case => ({ group: 'dropout', name: v.name, shape: `n=${c.n} rate=${c.rate} seed=${c.seed}`, run: (io) => dropout(io, v.name, c) })));

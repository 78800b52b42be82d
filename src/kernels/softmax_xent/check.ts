// softmax_xent's checks against the float64 reference, run by the vitest kernel tests and
// selftest: every version at every shape of the grid: the loss (forward, and fused with the
// gradient), the logits' gradient and the softmax.
import { close, FWD, GRAD, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { randomInts, uniform } from '../../util/rng.js';
import { softmax, softmaxXentFamily, softmaxXentForward, softmaxXentForwardBackward, type XentShape } from './family.js';
import { XENT_CASES } from './cases.js';
import { softmaxXentRef } from './ref.js';

async function xent(io: CaseIO, version: string, s: XentShape) {
  const { B, K } = s, ctx = io.ctx;
  const zv = uniform(B * K, B * K, -4, 4);
  const lv = randomInts(B, B + K, K);
  const z = io.upload(zv, [B, K]), labels = io.upload(lv, [B]);
  const loss1 = io.output([B]), loss2 = io.output([B]), dz = io.output([B, K]), probs = io.output([B, K]);
  const why = softmaxXentFamily.versions.find((v) => v.name === version)!.unfit(s, ctx.limits);
  if (why) return failures(await refuses('unfit', () => softmaxXentForward(ctx, z, labels, loss1, { version }), `softmax_xent.${version}: ${why}`));
  await io.exec(softmaxXentForward(ctx, z, labels, loss1, { version }), softmaxXentForwardBackward(ctx, z, labels, loss2, dz, { version }),
    softmax(ctx, z, probs, { version }));
  const ref = softmaxXentRef(zv, lv, B, K);
  return failures(close('loss (fwd)', await io.read(loss1), ref.loss, FWD.atol, FWD.rtol),
    close('loss (fwd_bwd)', await io.read(loss2), ref.loss, FWD.atol, FWD.rtol),
    close('dlogits', await io.read(dz), ref.dz, GRAD.atol, GRAD.rtol),
    close('softmax', await io.read(probs), ref.probs, FWD.atol, FWD.rtol));
}

export const softmaxXentChecks = (): Case[] => softmaxXentFamily.versions.flatMap((v) =>
  XENT_CASES.map((s): Case => ({ group: 'softmax_xent', name: v.name, shape: softmaxXentFamily.describe(s), run: (io) => xent(io, v.name, s) })));

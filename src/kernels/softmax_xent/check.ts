// softmax_xent's checks against the float64 reference, run by the vitest kernel tests and
// selftest: every version at every shape of the grid: the loss (forward, and fused with the
// gradient), the logits' gradient and the softmax; and the training step's one loss pass (the
// gradient, the mean loss added to a running total, the correct count), plain and with label
// smoothing 0.1, which versions without smoothing must refuse in words.
import { close, equal, FWD, GRAD, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { randomInts, uniform } from '../../util/rng.js';
import { correctRef } from '../metrics/ref.js';
import { softmax, softmaxXentFamily, softmaxXentForward, softmaxXentForwardBackward, softmaxXentStep, type XentShape } from './family.js';
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

async function step(io: CaseIO, version: string, { B, K }: XentShape, smoothing: number) {
  const { ctx } = io;
  const zv = uniform(B * K, B * K + 1, -4, 4), lv = randomInts(B, B + K + 1, K);
  const z = io.upload(zv, [B, K]), labels = io.upload(lv, [B]), dz = io.output([B, K]);
  // Running totals holding earlier batches' 0.5 and 3: the step adds to them.
  const totals = { loss: io.upload(new Float32Array([0.5]), [1]), correct: io.upload(new Uint32Array([3]), [1]) };
  const scratch = (shape: readonly number[], dtype?: 'f32' | 'u32') => io.output(shape, dtype); // poisoned: the step must write it first
  const run = () => softmaxXentStep(ctx, z, labels, dz, totals, { smoothing, version, scratch });
  const why = softmaxXentFamily.versions.find((v) => v.name === version)!.unfit({ B, K, ...(smoothing ? { smoothing: true } : {}) }, ctx.limits);
  if (why) return failures(await refuses('unfit', run, `softmax_xent.${version}: ${why}`));
  await io.exec(...await run());
  const ref = softmaxXentRef(zv, lv, B, K, 1 / B, smoothing);
  return failures(close('dlogits', await io.read(dz), ref.dz, GRAD.atol, GRAD.rtol),
    close('loss total', await io.read(totals.loss), [0.5 + ref.loss.reduce((a, b) => a + b) / B], FWD.atol * 4, FWD.rtol),
    equal('correct total', await io.readU32(totals.correct), [3 + correctRef(zv, lv, B, K)]));
}

export const softmaxXentChecks = (): Case[] => softmaxXentFamily.versions.flatMap((v) => [
  ...XENT_CASES.map((s): Case => ({ group: 'softmax_xent', name: v.name, shape: softmaxXentFamily.describe(s), run: (io) => xent(io, v.name, s) })),
  ...[0, 0.1].flatMap((eps) => XENT_CASES.map((s): Case => ({
    group: 'softmax_xent', name: v.name, shape: `${softmaxXentFamily.describe(s)}, training step${eps ? `, label smoothing ${eps}` : ''}`, run: (io) => step(io, v.name, s, eps),
  }))),
]);

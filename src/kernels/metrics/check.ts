// metrics' checks against the reference, run by the vitest kernel tests and selftest: argmax and
// the correct count (which adds onto its previous value) for every version at every shape, exact.
import { equal, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { randomInts, uniform } from '../../util/rng.js';
import { argmax, countCorrect, metricsFamily, type MetricsShape } from './family.js';
import { METRICS_CASES } from './cases.js';
import { argmaxRef, correctRef } from './ref.js';

async function metrics(io: CaseIO, version: string, s: MetricsShape) {
  const { B, K } = s, ctx = io.ctx;
  const zv = uniform(B * K, B * K, -4, 4);
  const lv = randomInts(B, B + K, K);
  const z = io.upload(zv, [B, K]), labels = io.upload(lv, [B]);
  const pred = io.output([B], 'u32');
  const count = io.upload(new Uint32Array([5]), [1]);
  const why = metricsFamily.versions.find((v) => v.name === version)!.unfit(s, ctx.limits);
  if (why) return failures(await refuses('unfit', () => argmax(ctx, z, pred, { version }), `metrics.${version}: ${why}`));
  await io.exec(argmax(ctx, z, pred, { version }), countCorrect(ctx, z, labels, count, { version }));
  // The counter accumulates onto its previous value (5) so batches can be summed on the GPU.
  return failures(equal('argmax', await io.readU32(pred), argmaxRef(zv, B, K)),
    equal('correct count', await io.readU32(count), [5 + correctRef(zv, lv, B, K)]));
}

export const metricsChecks = (): Case[] => metricsFamily.versions.flatMap((v) =>
  METRICS_CASES.map((s): Case => ({ group: 'metrics', name: v.name, shape: metricsFamily.describe(s), run: (io) => metrics(io, v.name, s) })));

// matmul's checks against the float64 reference, run by the vitest kernel tests and selftest:
// every version at every shape and transpose mode of the grid, and accumulation into C.
import { close, FWD, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { matmul, matmulFamily, type MatmulShape } from './family.js';
import { MATMUL_CASES } from './cases.js';
import { matmulRef } from './ref.js';

async function product(io: CaseIO, version: string, s: MatmulShape) {
  const { M, N, K, transA, transB } = s;
  const A = io.rand(transA ? [K, M] : [M, K], M * 7 + K);
  const B = io.rand(transB ? [N, K] : [K, N], N * 11 + K);
  const C = io.output([M, N]);
  const why = matmulFamily.versions.find((v) => v.name === version)!.unfit(s, io.ctx.limits);
  if (why) return failures(await refuses('unfit', () => matmul(io.ctx, A.t, B.t, C, { transA, transB, version }), `matmul.${version}: ${why}`));
  await io.exec(matmul(io.ctx, A.t, B.t, C, { transA, transB, version }));
  // Sums of K products of [-1,1] values: scale atol with sqrt(K) for f32 rounding.
  return failures(close('C', await io.read(C), matmulRef(A.v, B.v, M, N, K, transA, transB), FWD.atol * Math.sqrt(K), FWD.rtol));
}

async function accumulated(io: CaseIO, version: string) {
  const [M, N, K] = [9, 16, 20];
  const A = io.rand([M, K], 1), B = io.rand([K, N], 2), C = io.rand([M, N], 3);
  await io.exec(matmul(io.ctx, A.t, B.t, C.t, { accumulate: true, version }));
  const want = matmulRef(A.v, B.v, M, N, K).map((v, i) => v + C.v[i]);
  return failures(close('C += AB', await io.read(C.t), want, FWD.atol * 5, FWD.rtol));
}

export function matmulChecks(): Case[] {
  const vs = matmulFamily.versions.map((v) => v.name);
  return [
    ...vs.flatMap((v) => MATMUL_CASES.map((s): Case => ({ group: 'matmul', name: v, shape: matmulFamily.describe(s), run: (io) => product(io, v, s) }))),
    ...vs.map((v): Case => ({ group: 'matmul', name: v, shape: '9x16x20, accumulated into C', run: (io) => accumulated(io, v) })),
  ];
}

// matmul's checks against the float64 reference, run by the vitest kernel tests and selftest:
// every version at every shape and transpose mode of the grid, accumulation into C, and the fused
// dense-layer shapes (bias and ReLU epilogue, ReLU masks on the loads and stores, bias gradient as
// row sums), which versions that fuse nothing must refuse in words.
import { close, FWD, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { matmul, matmulFamily, type MatmulShape } from './family.js';
import { MATMUL_CASES, MATMUL_FUSED_CASES } from './cases.js';
import { matmulFusedRef, matmulRef } from './ref.js';

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

async function fused(io: CaseIO, version: string, s: MatmulShape) {
  const f = s.fuse ?? {}, seed = s.M * 7 + s.K, aShape = s.transA ? [s.K, s.M] : [s.M, s.K];
  const A = io.rand(aShape, seed), B = io.rand(s.transB ? [s.N, s.K] : [s.K, s.N], seed + 1);
  const y = f.maskA ? io.rand(aShape, seed + 2) : undefined, bias = f.bias ? io.rand([s.N], seed + 3) : undefined;
  const z = f.maskC ? io.rand([s.M, s.N], seed + 4) : undefined, sums = f.rowSums ? io.output([s.M]) : undefined;
  const C = io.output([s.M, s.N]);
  const opts = { transA: s.transA, transB: s.transB, relu: f.relu, bias: bias?.t, maskBy: y?.t, maskOut: z?.t, rowSums: sums, version };
  const why = matmulFamily.versions.find((v) => v.name === version)!.unfit(s, io.ctx.limits);
  if (why) return failures(await refuses('unfit', () => matmul(io.ctx, A.t, B.t, C, opts), `matmul.${version}: ${why}`));
  await io.exec(matmul(io.ctx, A.t, B.t, C, opts));
  const want = matmulFusedRef(A.v, B.v, s.M, s.N, s.K, s.transA, s.transB, { y: y?.v, bias: bias?.v, relu: f.relu, z: z?.v });
  return failures(close('C', await io.read(C), want.C, FWD.atol * Math.sqrt(s.K), FWD.rtol),
    sums ? close('row sums', await io.read(sums), want.sums, FWD.atol * Math.sqrt(s.K), FWD.rtol) : null);
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
    ...vs.flatMap((v) => MATMUL_FUSED_CASES.map((s): Case => ({ group: 'matmul', name: v, shape: matmulFamily.describe(s), run: (io) => fused(io, v, s) }))),
  ];
}

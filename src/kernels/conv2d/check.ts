// conv2d's checks against the float64 reference, run by the vitest kernel tests and selftest:
// every version at every shape of the grid (forward, input, weight and bias gradients), and the
// accumulate paths, which must add where the version says they can and refuse elsewhere; then
// v5 with its weight gradient forced into several chunks.
import { close, FWD, GRAD, refuses } from '../../selftest/compare.js';
import { failures, type Case, type CaseIO } from '../../selftest/io.js';
import { conv2dFamily, planConv2d, type Conv2dVersion } from './family.js';
import { CONV2D_ACCUMULATE_CASES, CONV2D_CASES, CONV2D_SPLIT_CASES } from './cases.js';
import { conv2dV5Split } from './v5.js';
import { yShape, type Conv2dGeom } from './geometry.js';
import { conv2dBwdBiasRef, conv2dBwdInputRef, conv2dBwdWeightRef, conv2dRef } from './ref.js';

/** Seeded inputs for a shape: x, w, b and an output gradient dy. */
function inputs(io: CaseIO, g: Conv2dGeom, seed: number) {
  return { x: io.rand([g.N, g.C, g.H, g.W], seed), w: io.rand([g.K, g.C, g.KH, g.KW], seed + 1), b: io.rand([g.K], seed + 2), dy: io.rand(yShape(g), seed + 3) };
}

// Scratch is allocated poisoned too, so no version may rely on zero-filled buffers.
const poisoned = (io: CaseIO) => (shape: readonly number[]) => io.output(shape);

async function fresh(io: CaseIO, v: Conv2dVersion, g: Conv2dGeom, i: number) {
  const { x, w, b, dy } = inputs(io, g, 10 * i + 1);
  const why = v.unfit(g, io.ctx.limits);
  if (why) return failures(await refuses('unfit', () => planConv2d(io.ctx, g, poisoned(io), v), `conv2d.${v.name}: ${why}`));
  const plan = await planConv2d(io.ctx, g, poisoned(io), v);
  const y = io.output(yShape(g)), dx = io.output(x.t.shape), dw = io.output(w.t.shape), db = io.output([g.K]);
  await io.exec(...(await plan.forward(x.t, w.t, b.t, y)), ...(await plan.packGrad(dy.t)),
    ...(await plan.backwardInput(dx)), ...(await plan.backwardWeight(dw)), ...(await plan.backwardBias(db)));
  const yv = await io.read(y);
  // With the ReLU the mask is the y the layer wrote (the plan's contract), not a float64 sign.
  return failures(
    close('forward', yv, conv2dRef(x.v, w.v, b.v, g), FWD.atol, FWD.rtol),
    g.relu && !yv.some((e) => e === 0) ? { what: 'forward', message: 'a ReLU layer zeroed no output' } : null,
    close('input gradient', await io.read(dx), conv2dBwdInputRef(dy.v, w.v, g, yv), GRAD.atol, GRAD.rtol),
    close('weight gradient', await io.read(dw), conv2dBwdWeightRef(x.v, dy.v, g, yv), GRAD.atol, GRAD.rtol),
    close('bias gradient', await io.read(db), conv2dBwdBiasRef(dy.v, g, yv), GRAD.atol, GRAD.rtol));
}

async function accumulated(io: CaseIO, v: Conv2dVersion, g: Conv2dGeom, i: number) {
  const { x, w, b, dy } = inputs(io, g, 100 + 10 * i);
  const plan = await planConv2d(io.ctx, g, poisoned(io), v);
  const dx = io.rand([...x.t.shape], 200 + i), dw = io.rand([...w.t.shape], 300 + i), db = io.rand([g.K], 400 + i);
  const y = io.output(yShape(g));
  await io.exec(...(await plan.forward(x.t, w.t, b.t, y)));
  const yv = await io.read(y);
  const list = [...(await plan.packGrad(dy.t))];
  const grads = [
    ['dx', 'input', dx, () => plan.backwardInput(dx.t, { accumulate: true }), conv2dBwdInputRef(dy.v, w.v, g, yv)],
    ['dw', 'weight', dw, () => plan.backwardWeight(dw.t, { accumulate: true }), conv2dBwdWeightRef(x.v, dy.v, g, yv)],
    ['db', 'bias', db, () => plan.backwardBias(db.t, { accumulate: true }), conv2dBwdBiasRef(dy.v, g, yv)],
  ] as const;
  const out = [];
  for (const [k, what, , call] of grads) {
    if (plan.accumulates[k]) list.push(...(await call()));
    else out.push(await refuses(`${what} gradient`, call, `conv2d.${v.name}: its ${what} gradient cannot accumulate`));
  }
  await io.exec(...list);
  for (const [k, what, dst, , want] of grads) {
    if (plan.accumulates[k]) out.push(close(`${what} gradient accumulated`, await io.read(dst.t), Array.from(want, (d, j) => d + dst.v[j]), GRAD.atol * 3, GRAD.rtol));
  }
  return failures(...out);
}

export function conv2dChecks(): Case[] {
  const { describe, versions } = conv2dFamily;
  return [
    ...versions.flatMap((v) => CONV2D_CASES.map((g, i): Case => ({ group: 'conv2d', name: v.name, shape: describe(g), run: (io) => fresh(io, v, g, i) }))),
    ...versions.flatMap((v) => CONV2D_ACCUMULATE_CASES.map((g, i): Case => ({ group: 'conv2d', name: v.name, shape: `${describe(g)}, gradients accumulated`, run: (io) => accumulated(io, v, g, i) }))),
    ...CONV2D_SPLIT_CASES.map(({ g, Z }, i): Case => ({ group: 'conv2d', name: 'v5', shape: `${describe(g)}, weight gradient in ${Z} chunks`, run: (io) => fresh(io, conv2dV5Split(Z), g, 50 + i) })),
  ];
}

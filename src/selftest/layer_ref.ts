// Float64 references of one layer in a training step (selftest's step check): its output, input
// gradient, parameter gradients and, for batch normalisation, its running statistics after the
// step. Built only from the kernel families' ref.ts loops, nothing shared with the GPU path.
import type { LayerSpec } from '../nn/layers.js';
import { conv2dGeom } from '../kernels/conv2d/geometry.js';
import { conv2dBwdBiasRef, conv2dBwdInputRef, conv2dBwdWeightRef, conv2dRef } from '../kernels/conv2d/ref.js';
import { matmulRef } from '../kernels/matmul/ref.js';
import { biasAddRef, biasGradRef } from '../kernels/bias/ref.js';
import { reluBwdRef, reluRef } from '../kernels/activation/ref.js';
import { pool2dGeom } from '../kernels/pool2d/family.js';
import { avgPoolBwdRef, avgPoolRef, globalAvgPoolBwdRef, globalAvgPoolRef, maxPoolBwdRef, maxPoolRef } from '../kernels/pool2d/ref.js';
import { DEFAULT_EPS, DEFAULT_MOMENTUM } from '../kernels/batchnorm/family.js';
import { bnBackwardRef, bnRunningRef, bnTrainRef } from '../kernels/batchnorm/ref.js';
import { dropoutMaskRef } from '../kernels/dropout/ref.js';

export type Arr = ArrayLike<number>;

/**
 * What one layer's reference gives. `terms`: the lengths of the sums behind each value; f32
 * rounding grows with them, so the absolute tolerance does too (as in the matmul checks).
 * `buffers`: the layer's buffers (by name suffix, e.g. running_mean) after the step.
 */
export interface LayerRef {
  y?: Arr; dx?: Arr; dw?: Arr; db?: Arr;
  buffers?: Record<string, Arr>;
  terms: { fwd: number; dx: number; dw: number; db: number };
}

const mul = (a: Arr, m: Arr) => Float64Array.from(a, (v, i) => v * m[i]);

/**
 * Layer `spec` on input a (shape aShape, batch first) with output gradient dy; `state(suffix)` its
 * initial parameters and buffers ('weight', 'running_mean'); `seed` a dropout's mask seed.
 */
export function layerRef(spec: LayerSpec, aShape: readonly number[], a: Arr, dy: Arr | null, state: (suffix: string) => Arr, seed: number): LayerRef {
  const one = { fwd: 1, dx: 1, dw: 1, db: 1 };
  switch (spec.type) {
    case 'conv2d': {
      const w = state('weight');
      const g = conv2dGeom(aShape, [spec.out, spec.in, spec.kernel, spec.kernel], { stride: spec.stride ?? 1, padding: spec.padding ?? 0 });
      const terms = { fwd: g.C * g.KH * g.KW, dx: g.K * g.KH * g.KW, dw: g.N * g.OH * g.OW, db: g.N * g.OH * g.OW };
      return { y: conv2dRef(a, w, state('bias'), g), terms, ...(dy && { dx: conv2dBwdInputRef(dy, w, g), dw: conv2dBwdWeightRef(a, dy, g), db: conv2dBwdBiasRef(dy, g) }) };
    }
    case 'linear': {
      const w = state('weight'), B = aShape[0], I = spec.in, O = spec.out;
      const terms = { fwd: I, dx: O, dw: B, db: B };
      return { y: biasAddRef(matmulRef(a, w, B, O, I, false, true), state('bias'), B, O, 1), terms, ...(dy && { dx: matmulRef(dy, w, B, I, O), dw: matmulRef(dy, a, O, I, B, true), db: biasGradRef(dy, B, O, 1) }) };
    }
    case 'relu':
      return { y: reluRef(a), terms: one, ...(dy && { dx: reluBwdRef(a, dy) }) };
    case 'maxpool2d':
    case 'avgpool2d': {
      const g = pool2dGeom(aShape, { kernel: spec.kernel, stride: spec.stride ?? spec.kernel, padding: spec.padding ?? 0 });
      const terms = { ...one, fwd: g.KH * g.KW, dx: g.KH * g.KW };
      if (spec.type === 'maxpool2d') return { y: maxPoolRef(a, g).y, terms, ...(dy && { dx: maxPoolBwdRef(a, dy, g) }) };
      return { y: avgPoolRef(a, g), terms, ...(dy && { dx: avgPoolBwdRef(dy, g) }) };
    }
    case 'globalavgpool2d': {
      const [N, C, H, W] = aShape;
      return { y: globalAvgPoolRef(a, N, C, H, W), terms: { ...one, fwd: H * W }, ...(dy && { dx: globalAvgPoolBwdRef(dy, N, C, H, W) }) };
    }
    case 'batchnorm2d':
    case 'batchnorm1d': {
      // Training mode: the batch's statistics normalise, the running ones move towards them.
      const s = { N: aShape[0], C: aShape[1], S: aShape.slice(2).reduce((p, q) => p * q, 1) };
      const eps = spec.eps ?? DEFAULT_EPS, gamma = state('weight'), M = s.N * s.S;
      const run = bnRunningRef(state('running_mean'), state('running_var'), a, s, spec.momentum ?? DEFAULT_MOMENTUM);
      const g = dy && bnBackwardRef(a, gamma, dy, s, eps);
      return {
        y: bnTrainRef(a, gamma, state('bias'), s, eps).y, terms: { fwd: M, dx: M, dw: M, db: M },
        buffers: { running_mean: run.mean, running_var: run.variance }, ...(g && { dx: g.dx, dw: g.dgamma, db: g.dbeta }),
      };
    }
    case 'dropout': {
      const m = dropoutMaskRef(a.length, seed, spec.rate);
      return { y: mul(a, m), terms: one, ...(dy && { dx: mul(dy, m) }) };
    }
    case 'flatten': // a view of its input: nothing of its own to check
      return { terms: one };
    default:
      throw new Error(`no float64 reference for layer type '${(spec as { type: string }).type}'`);
  }
}

/**
 * A layer with the ReLUs fused around it, as the GPU ran them: relu(a) in when `before`,
 * relu(out) when `after`. The ReLU after takes its mask from the GPU's own output yGpu (> 0 where
 * the GPU's pre-activation was), so a pre-activation near zero cannot flip the mask.
 */
export function fusedRef(spec: LayerSpec, aShape: readonly number[], a: Arr, dy: Arr | null, yGpu: Arr, state: (suffix: string) => Arr, seed: number, fused: { before: boolean; after: boolean }): LayerRef {
  const aIn = fused.before ? reluRef(a) : a;
  const r = layerRef(spec, aShape, aIn, dy && fused.after ? reluBwdRef(yGpu, dy) : dy, state, seed);
  return {
    ...r,
    y: r.y && fused.after ? reluRef(r.y) : r.y,
    dx: r.dx && fused.before ? reluBwdRef(a, r.dx) : r.dx,
  };
}

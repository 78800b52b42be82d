// Float64 references for the conv2d family (NCHW, weights [K,C,KH,KW]): plain loops written from
// the definition, nothing shared with the kernels. With g.relu the forward is max(conv + b, 0)
// and the backward references take the gradient of that output and the output itself (the mask).
import type { Conv2dGeom } from './geometry.js';

type Arr = ArrayLike<number>;
const at4 = (d1: number, d2: number, d3: number) => (a: number, b: number, c: number, e: number) => ((a * d1 + b) * d2 + c) * d3 + e;

export function conv2dRef(x: Arr, w: Arr, b: Arr, g: Conv2dGeom): Float64Array {
  const y = new Float64Array(g.N * g.K * g.OH * g.OW);
  const X = at4(g.C, g.H, g.W), Wt = at4(g.C, g.KH, g.KW), Y = at4(g.K, g.OH, g.OW);
  for (let n = 0; n < g.N; n++)
    for (let k = 0; k < g.K; k++)
      for (let oh = 0; oh < g.OH; oh++)
        for (let ow = 0; ow < g.OW; ow++) {
          let s = b[k];
          for (let c = 0; c < g.C; c++)
            for (let kh = 0; kh < g.KH; kh++)
              for (let kw = 0; kw < g.KW; kw++) {
                const ih = oh * g.SH + kh - g.PH, iw = ow * g.SW + kw - g.PW;
                if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) s += x[X(n, c, ih, iw)] * w[Wt(k, c, kh, kw)];
              }
          y[Y(n, k, oh, ow)] = g.relu ? Math.max(s, 0) : s;
        }
  return y;
}

/** The gradient of the conv's own output: dy where y > 0 with g.relu, else dy. */
function convGrad(dy: Arr, g: Conv2dGeom, y?: Arr): Arr {
  if (!g.relu) return dy;
  if (!y) throw new Error('conv2d reference: a relu layer\'s backward needs the forward output');
  return Float64Array.from(dy, (d, i) => (y[i] > 0 ? d : 0));
}

/** dx by scattering each output gradient back through the taps it read (the forward's adjoint). */
export function conv2dBwdInputRef(dyOut: Arr, w: Arr, g: Conv2dGeom, y?: Arr): Float64Array {
  const dy = convGrad(dyOut, g, y);
  const dx = new Float64Array(g.N * g.C * g.H * g.W);
  const X = at4(g.C, g.H, g.W), Wt = at4(g.C, g.KH, g.KW), Y = at4(g.K, g.OH, g.OW);
  for (let n = 0; n < g.N; n++)
    for (let k = 0; k < g.K; k++)
      for (let oh = 0; oh < g.OH; oh++)
        for (let ow = 0; ow < g.OW; ow++) {
          const d = dy[Y(n, k, oh, ow)];
          for (let c = 0; c < g.C; c++)
            for (let kh = 0; kh < g.KH; kh++)
              for (let kw = 0; kw < g.KW; kw++) {
                const ih = oh * g.SH + kh - g.PH, iw = ow * g.SW + kw - g.PW;
                if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) dx[X(n, c, ih, iw)] += d * w[Wt(k, c, kh, kw)];
              }
        }
  return dx;
}

export function conv2dBwdWeightRef(x: Arr, dyOut: Arr, g: Conv2dGeom, y?: Arr): Float64Array {
  const dy = convGrad(dyOut, g, y);
  const dw = new Float64Array(g.K * g.C * g.KH * g.KW);
  const X = at4(g.C, g.H, g.W), Wt = at4(g.C, g.KH, g.KW), Y = at4(g.K, g.OH, g.OW);
  for (let n = 0; n < g.N; n++)
    for (let k = 0; k < g.K; k++)
      for (let oh = 0; oh < g.OH; oh++)
        for (let ow = 0; ow < g.OW; ow++) {
          const d = dy[Y(n, k, oh, ow)];
          for (let c = 0; c < g.C; c++)
            for (let kh = 0; kh < g.KH; kh++)
              for (let kw = 0; kw < g.KW; kw++) {
                const ih = oh * g.SH + kh - g.PH, iw = ow * g.SW + kw - g.PW;
                if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) dw[Wt(k, c, kh, kw)] += d * x[X(n, c, ih, iw)];
              }
        }
  return dw;
}

/** db[k] = sum of dy[n, k, oh, ow] over n, oh, ow. */
export function conv2dBwdBiasRef(dyOut: Arr, g: Conv2dGeom, y?: Arr): Float64Array {
  const dy = convGrad(dyOut, g, y);
  const db = new Float64Array(g.K);
  const S = g.OH * g.OW;
  for (let n = 0; n < g.N; n++) for (let k = 0; k < g.K; k++) for (let s = 0; s < S; s++) db[k] += dy[(n * g.K + k) * S + s];
  return db;
}

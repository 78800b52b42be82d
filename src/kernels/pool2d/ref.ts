// Float64 reference for the pool2d families (max and average over NCHW): plain loops over each
// window's in-bounds taps, nothing shared with the kernels.
import type { Pool2dGeom } from './family.js';

type Arr = ArrayLike<number>;

function windows(g: Pool2dGeom, visit: (plane: number, o: number, taps: number[]) => void): void {
  for (let plane = 0; plane < g.N * g.C; plane++)
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++) {
        const taps: number[] = [];
        for (let kh = 0; kh < g.KH; kh++)
          for (let kw = 0; kw < g.KW; kw++) {
            const ih = oh * g.SH + kh - g.PH, iw = ow * g.SW + kw - g.PW;
            if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) taps.push((plane * g.H + ih) * g.W + iw);
          }
        visit(plane, (plane * g.OH + oh) * g.OW + ow, taps);
      }
}

/** Max over each window; `arg` is the first maximum's flat input index (ties go to the earliest tap). */
export function maxPoolRef(x: Arr, g: Pool2dGeom): { y: Float64Array; arg: Int32Array } {
  const y = new Float64Array(g.N * g.C * g.OH * g.OW);
  const arg = new Int32Array(y.length);
  windows(g, (_p, o, taps) => {
    let best = taps[0];
    for (const t of taps) if (x[t] > x[best]) best = t;
    y[o] = x[best];
    arg[o] = best;
  });
  return { y, arg };
}

export function maxPoolBwdRef(x: Arr, dy: Arr, g: Pool2dGeom): Float64Array {
  const dx = new Float64Array(g.N * g.C * g.H * g.W);
  const { arg } = maxPoolRef(x, g);
  for (let o = 0; o < arg.length; o++) dx[arg[o]] += dy[o];
  return dx;
}

/** Max pooling of relu(x): y = max(0, window max); `arg` is -1 where y is 0 (no input gets the gradient). */
export function maxPoolReluRef(x: Arr, g: Pool2dGeom): { y: Float64Array; arg: Int32Array } {
  const { y, arg } = maxPoolRef(x, g);
  for (let o = 0; o < y.length; o++) if (!(y[o] > 0)) { y[o] = 0; arg[o] = -1; }
  return { y, arg };
}

/** dx of maxPoolReluRef: dy goes to the window's first maximum where that maximum is > 0. */
export function maxPoolReluBwdRef(x: Arr, dy: Arr, g: Pool2dGeom): Float64Array {
  const dx = new Float64Array(g.N * g.C * g.H * g.W);
  const { arg } = maxPoolReluRef(x, g);
  for (let o = 0; o < arg.length; o++) if (arg[o] >= 0) dx[arg[o]] += dy[o];
  return dx;
}

export function avgPoolRef(x: Arr, g: Pool2dGeom): Float64Array {
  const y = new Float64Array(g.N * g.C * g.OH * g.OW);
  windows(g, (_p, o, taps) => {
    let s = 0;
    for (const t of taps) s += x[t];
    y[o] = s / (g.KH * g.KW);
  });
  return y;
}

export function avgPoolBwdRef(dy: Arr, g: Pool2dGeom): Float64Array {
  const dx = new Float64Array(g.N * g.C * g.H * g.W);
  windows(g, (_p, o, taps) => {
    for (const t of taps) dx[t] += dy[o] / (g.KH * g.KW);
  });
  return dx;
}

/** Global average pooling, [N, C, H, W] -> [N, C]: each plane's mean. */
export function globalAvgPoolRef(x: Arr, N: number, C: number, H: number, W: number): Float64Array {
  const y = new Float64Array(N * C);
  for (let plane = 0; plane < N * C; plane++) for (let i = 0; i < H * W; i++) y[plane] += x[plane * H * W + i] / (H * W);
  return y;
}

export function globalAvgPoolBwdRef(dy: Arr, N: number, C: number, H: number, W: number): Float64Array {
  const dx = new Float64Array(N * C * H * W);
  for (let plane = 0; plane < N * C; plane++) for (let i = 0; i < H * W; i++) dx[plane * H * W + i] = dy[plane] / (H * W);
  return dx;
}

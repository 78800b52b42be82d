// conv2d v4 forward: an implicit GEMM, y = act(w * X + b), with no im2col buffer.
//   Rows: output channels k < K; columns: output pixels j = (n, oh, ow) < NJ = N*OH*OW;
//   reduction: taps r = (c, kh, kw) < CKK = C*KH*KW, walked in order by every invocation alike.
//   X[r, j] = x[n, c, oh*SH+kh-PH, ow*SW+kw-PW], 0 in the padding, is gathered straight from x.
// Tiles: an invocation owns R channels x 4*PQ consecutive pixels (v4_tile.wgsl); a workgroup
//   WG invocations along the pixels. Its R x BR weights for BR taps at a time are staged in
//   workgroup memory (every invocation reads all of them).
// Epilogue: + bias[k], then max(., 0) when RELU; y [N,K,OH,OW].
// Bindings: p (conv2d/params.wgsl, CKK set); x, w, bias -> y.
// Dispatch: 1-D workgroups of WG over a 2-D grid, ceil(NJ / (4*PQ*WG)) pixel tiles (fastest)
//   x ceil(K / R) channel tiles. Every index is in bounds by construction: a pixel, tap or
//   channel past the end reads index 0 (selected away) or nothing, and is not stored.

override WG: u32;
override RELU: bool = false;
const BR = 32u;

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

var<workgroup> ws: array<f32, BR * R>;

// Four of this lane's pixels: x offset of tap 0 (n*C*H*W + ih0*W + iw0), first input row and
// column, whether the pixel exists, and its NCHW output offset without the channel term.
struct Quad { base: vec4i, ih: vec4i, iw: vec4i, live: vec4<bool>, out: vec4u }
var<private> q0: Quad;
var<private> q1: Quad;
var<private> q2: Quad;
var<private> q3: Quad;
var<private> k0: u32;
var<private> wlive: bool;
// The current step within the staged tile, and the tap's (kh, kw) and x offset.
var<private> ts: u32;
var<private> tkh: i32;
var<private> tkw: i32;
var<private> toff: i32;

fn row(i: u32) -> f32 { return ws[ts * R + i]; }

fn quad(j0: u32) -> Quad {
  let S = p.OH * p.OW;
  var n = j0 / S;
  var s = j0 % S;
  var q: Quad;
  for (var t = 0u; t < 4u; t++) {
    q.live[t] = n < p.N;
    let nn = min(n, p.N - 1u);
    q.ih[t] = i32((s / p.OW) * SH) - i32(p.PH);
    q.iw[t] = i32((s % p.OW) * SW) - i32(p.PW);
    q.base[t] = i32(nn * p.C * p.H * p.W) + q.ih[t] * i32(p.W) + q.iw[t];
    q.out[t] = nn * p.K * S + s;
    s++;
    if (s == S) { s = 0u; n++; }
  }
  return q;
}

// X at the current tap for four pixels.
fn gather(q: Quad) -> vec4f {
  let ih = q.ih + vec4i(tkh);
  let iw = q.iw + vec4i(tkw);
  let ok = q.live & (ih >= vec4i(0)) & (ih < vec4i(i32(p.H))) & (iw >= vec4i(0)) & (iw < vec4i(i32(p.W)));
  let o = vec4u(select(vec4i(0), q.base + vec4i(toff), ok));
  return select(vec4f(0.0), vec4f(x[o.x], x[o.y], x[o.z], x[o.w]), ok);
}

fn store(qi: u32, pi: u32, m: mat4x4f) {
  var q = q0;
  if (pi == 1u) { q = q1; } else if (pi == 2u) { q = q2; } else if (pi == 3u) { q = q3; }
  for (var i = 0u; i < 4u; i++) {
    let k = k0 + 4u * qi + i;
    if (4u * qi + i >= R || k >= p.K || !wlive) { return; }
    var v = m[i] + vec4f(bias[k]);
    if (RELU) { v = max(v, vec4f(0.0)); }
    let o = q.out + vec4u(k * p.OH * p.OW);
    if (q.live.x) { y[o.x] = v.x; }
    if (q.live.y) { y[o.y] = v.y; }
    if (q.live.z) { y[o.z] = v.z; }
    if (q.live.w) { y[o.w] = v.w; }
  }
}

@compute @workgroup_size(WG)
fn fwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let tiles = (p.N * p.OH * p.OW + 4u * PQ * WG - 1u) / (4u * PQ * WG);
  // A workgroup past the end (a 2-D grid's overhang) redoes the last one's work but stores
  // nothing: on SwiftShader an early return would mask, and slow, everything after it.
  let g0 = wid.x + wid.y * nwg.x;
  let total = tiles * ((p.K + R - 1u) / R);
  let g = min(g0, total - 1u);
  wlive = g0 < total;
  k0 = (g / tiles) * R;
  let j0 = ((g % tiles) * WG + li) * 4u * PQ;
  q0 = quad(j0);
  if (PQ > 1u) { q1 = quad(j0 + 4u); }
  if (PQ > 2u) { q2 = quad(j0 + 8u); }
  if (PQ > 3u) { q3 = quad(j0 + 12u); }
  var c = 0u;
  for (var r0 = 0u; r0 < p.CKK; r0 += BR) {
    workgroupBarrier();
    // ws[t][i] = w[k0 + i, r0 + t], 0 past K or CKK.
    for (var e = li; e < BR * R; e += WG) {
      let t = e / R;
      let i = e % R;
      let ok = k0 + i < p.K && r0 + t < p.CKK;
      ws[e] = select(0.0, w[select(0u, (k0 + i) * p.CKK + r0 + t, ok)], ok);
    }
    workgroupBarrier();
    for (ts = 0u; ts < min(BR, p.CKK - r0); ts++) {
      toff = i32(c * p.H * p.W) + tkh * i32(p.W) + tkw;
      var g1 = vec4f(0.0);
      var g2 = vec4f(0.0);
      var g3 = vec4f(0.0);
      if (PQ > 1u) { g1 = gather(q1); }
      if (PQ > 2u) { g2 = gather(q2); }
      if (PQ > 3u) { g3 = gather(q3); }
      step(gather(q0), g1, g2, g3);
      tkw++;
      if (tkw == i32(p.KW)) { tkw = 0; tkh++; if (tkh == i32(p.KH)) { tkh = 0; c++; } }
    }
  }
  store_all();
}

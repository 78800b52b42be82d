// conv2d v4 input gradient: an implicit transposed convolution in gather form (no col2im, no
//   atomics). dx[n,c,ih,iw] (+)= sum over (k, kh, kw) of dy'[n,k,oh,ow] * w[k,c,kh,kw] where
//   oh*SH = ih+PH-kh and ow*SW = iw+PW-kw (exactly, and inside the output);
//   dy' = dy * (y > 0) when RELU (the mask applied on load), else dy.
//   Rows: input channels c < C; columns: input pixels (n, ih, iw) < N*H*W; reduction: (k, kh, kw)
//   < K*KH*KW, walked in order by every invocation alike.
// Tiles: as v4_fwd.wgsl: R channels x 4*PQ consecutive pixels per invocation (v4_tile.wgsl), WG
//   invocations along the pixels; w[k, c0..c0+R-1, kh, kw] for BR steps staged in workgroup memory.
// Bindings: p (conv2d/params.wgsl); dy, y (read only with RELU), w -> dx.
// Dispatch: 1-D workgroups of WG over a 2-D grid, ceil(N*H*W / (4*PQ*WG)) pixel tiles (fastest)
//   x ceil(C / R) channel tiles. Indices in bounds by construction, as in v4_fwd.wgsl.

override WG: u32;
override RELU: bool = false;
override ACCUMULATE: bool = false;
const BR = 32u;

@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

var<workgroup> ws: array<f32, BR * R>;

// Four of this lane's input pixels: dy offset of image n (n*K*OH*OW), ih+PH, iw+PW, whether the
// pixel exists, and its dx offset without the channel term.
struct Quad { base: vec4i, th: vec4i, tw: vec4i, live: vec4<bool>, out: vec4u }
var<private> q0: Quad;
var<private> q1: Quad;
var<private> q2: Quad;
var<private> q3: Quad;
var<private> c0: u32;
// The current step within the staged tile, and the step's k (as a dy offset), kh and kw.
var<private> ts: u32;
var<private> tk: i32;
var<private> tkh: i32;
var<private> tkw: i32;

fn row(i: u32) -> f32 { return ws[ts * R + i]; }

fn quad(j0: u32) -> Quad {
  let S = p.H * p.W;
  var n = j0 / S;
  var s = j0 % S;
  var q: Quad;
  for (var t = 0u; t < 4u; t++) {
    q.live[t] = n < p.N;
    let nn = min(n, p.N - 1u);
    q.base[t] = i32(nn * p.K * p.OH * p.OW);
    q.th[t] = i32(s / p.W + p.PH);
    q.tw[t] = i32(s % p.W + p.PW);
    q.out[t] = nn * p.C * S + s;
    s++;
    if (s == S) { s = 0u; n++; }
  }
  return q;
}

// dy' at the current step for four input pixels: the outputs whose window puts tap (kh, kw) on them.
fn gather(q: Quad) -> vec4f {
  var oh = q.th - vec4i(tkh);
  var ow = q.tw - vec4i(tkw);
  var ok = q.live & (oh >= vec4i(0)) & (ow >= vec4i(0));
  if (p.SH != 1u || p.SW != 1u) {
    let sh = vec4i(i32(p.SH));
    let sw = vec4i(i32(p.SW));
    ok = ok & (oh % sh == vec4i(0)) & (ow % sw == vec4i(0));
    oh = oh / sh;
    ow = ow / sw;
  }
  ok = ok & (oh < vec4i(i32(p.OH))) & (ow < vec4i(i32(p.OW)));
  let o = vec4u(select(vec4i(0), q.base + vec4i(tk) + oh * i32(p.OW) + ow, ok));
  var v = vec4f(dy[o.x], dy[o.y], dy[o.z], dy[o.w]);
  if (RELU) { ok = ok & (vec4f(y[o.x], y[o.y], y[o.z], y[o.w]) > vec4f(0.0)); }
  return select(vec4f(0.0), v, ok);
}

fn store(qi: u32, pi: u32, m: mat4x4f) {
  var q = q0;
  if (pi == 1u) { q = q1; } else if (pi == 2u) { q = q2; } else if (pi == 3u) { q = q3; }
  for (var i = 0u; i < 4u; i++) {
    let c = c0 + 4u * qi + i;
    if (4u * qi + i >= R || c >= p.C) { return; }
    let v = m[i];
    let o = q.out + vec4u(c * p.H * p.W);
    for (var t = 0u; t < 4u; t++) {
      if (q.live[t]) { if (ACCUMULATE) { dx[o[t]] += v[t]; } else { dx[o[t]] = v[t]; } }
    }
  }
}

@compute @workgroup_size(WG)
fn dgrad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let tiles = (p.N * p.H * p.W + 4u * PQ * WG - 1u) / (4u * PQ * WG);
  let g = wid.x + wid.y * nwg.x;
  if (g >= tiles * ((p.C + R - 1u) / R)) { return; }
  c0 = (g / tiles) * R;
  let j0 = ((g % tiles) * WG + li) * 4u * PQ;
  q0 = quad(j0);
  if (PQ > 1u) { q1 = quad(j0 + 4u); }
  if (PQ > 2u) { q2 = quad(j0 + 8u); }
  if (PQ > 3u) { q3 = quad(j0 + 12u); }
  let taps = p.KH * p.KW;
  let steps = p.K * taps;
  var k = 0u;
  for (var r0 = 0u; r0 < steps; r0 += BR) {
    workgroupBarrier();
    // ws[t][i] = w[k, c0 + i, kh, kw] for step r0 + t = (k, kh, kw); 0 past C or the steps.
    for (var e = li; e < BR * R; e += WG) {
      let r = r0 + e / R;
      let c = c0 + e % R;
      let ok = c < p.C && r < steps;
      ws[e] = select(0.0, w[select(0u, ((r / taps) * p.C + c) * taps + r % taps, ok)], ok);
    }
    workgroupBarrier();
    for (ts = 0u; ts < min(BR, steps - r0); ts++) {
      tk = i32(k * p.OH * p.OW);
      var g1 = vec4f(0.0);
      var g2 = vec4f(0.0);
      var g3 = vec4f(0.0);
      if (PQ > 1u) { g1 = gather(q1); }
      if (PQ > 2u) { g2 = gather(q2); }
      if (PQ > 3u) { g3 = gather(q3); }
      step(gather(q0), g1, g2, g3);
      tkw++;
      if (tkw == i32(p.KW)) { tkw = 0; tkh++; if (tkh == i32(p.KH)) { tkh = 0; k++; } }
    }
  }
  store_all();
}

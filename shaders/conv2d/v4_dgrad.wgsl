// conv2d v4 input gradient: an implicit transposed convolution in gather form (no col2im, no
//   atomics). dx[n,c,ih,iw] (+)= sum over (k, kh, kw) of dy'[n,k,oh,ow] * w[k,c,kh,kw] where
//   oh*SH = ih+PH-kh and ow*SW = iw+PW-kw (exactly, and inside the output);
//   dy' = dy * (y > 0) when RELU (the mask applied on load), else dy.
//   Rows: input channels c < C; columns: input pixels; reduction: steps (k, kh, kw) < K*KH*KW,
//   walked by every invocation alike.
// Tiles: an invocation owns R channels x one row segment of 4*PQ input pixels (n, ih, iw0..)
//   (v4_tile.wgsl), WG invocations per workgroup; w[k, c0..c0+R-1, kh, kw] for TS = whole kernels
//   of steps at a time staged in workgroup memory. SLIDE (SW = 1, KW <= 5): a (k, kh) row loads
//   4*PQ + 4 dy values once and slides them one column per kw, instead of 4*PQ loads per step.
// Bindings: p (conv2d/params.wgsl); dy, y (read only with RELU), w -> dx.
// Dispatch: 1-D workgroups of WG over a 2-D grid, ceil(N*H*ceil(W/(4*PQ)) / WG) segment tiles
//   (fastest) x ceil(C / R) channel tiles. Every index is in bounds by construction: a pixel,
//   step or channel past the end reads index 0 (selected away) or nothing, and is not stored.

override WG: u32;
override RELU: bool = false;
override ACCUMULATE: bool = false;
override SLIDE: bool;
/** Steps per staged tile: whole kernels, TS / (KH*KW) output channels. */
override TS: u32;

@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

var<workgroup> ws: array<f32, TS * R>;

var<private> c0: u32;
// This lane's segment: image n, row ih, first column iw0, whether it exists.
var<private> sn: u32;
var<private> sih: u32;
var<private> siw: u32;
var<private> slive: bool;
// The current step within the staged tile; its dy row offset (n, k, oh) and whether that row exists.
var<private> ts: u32;
var<private> rowoff: i32;
var<private> rowok: bool;

fn row(i: u32) -> f32 { return ws[ts * R + i]; }

// dy' at columns tw = iw + PW - kw of the current row.
fn dyq(tw: vec4i) -> vec4f {
  var ow = tw;
  var ok = vec4<bool>(rowok) & (tw >= vec4i(0));
  if (SW != 1u) {
    ok = ok & (tw % vec4i(i32(SW)) == vec4i(0));
    ow = tw / vec4i(i32(SW));
  }
  ok = ok & (ow < vec4i(i32(p.OW)));
  let o = vec4u(select(vec4i(0), vec4i(rowoff) + ow, ok));
  if (RELU) { ok = ok & (vec4f(y[o.x], y[o.y], y[o.z], y[o.w]) > vec4f(0.0)); }
  return select(vec4f(0.0), vec4f(dy[o.x], dy[o.y], dy[o.z], dy[o.w]), ok);
}

// The dy row of step (k, kh, .) for this segment.
fn dyrow(k: u32, kh: u32) {
  let th = i32(sih + p.PH) - i32(kh);
  var oh = th;
  rowok = slive && th >= 0;
  if (SH != 1u) {
    rowok = rowok && th % i32(SH) == 0;
    oh = th / i32(SH);
  }
  rowok = rowok && oh < i32(p.OH);
  rowoff = select(0, i32(((sn * p.K + k) * p.OH) * p.OW) + oh * i32(p.OW), rowok);
}

// Quad q of the columns at kw = KW-1 - d: dy' at tw = iw0 + PW - (KW-1) + d + 4q + (0..3).
// Past the segment (quad PQ is the slide's tail): 0, no load.
fn cols(q: u32, d: u32) -> vec4f {
  if (q > PQ || (q == PQ && !SLIDE)) { return vec4f(0.0); }
  return dyq(vec4i(i32(siw + p.PW + d + 4u * q) - i32(p.KW - 1u)) + vec4i(0, 1, 2, 3));
}

fn store(qi: u32, pi: u32, m: mat4x4f) {
  for (var i = 0u; i < 4u; i++) {
    let c = c0 + 4u * qi + i;
    if (4u * qi + i >= R || c >= p.C) { return; }
    let o = ((sn * p.C + c) * p.H + sih) * p.W + siw + 4u * pi;
    for (var t = 0u; t < 4u; t++) {
      if (slive && siw + 4u * pi + t < p.W) {
        if (ACCUMULATE) { dx[o + t] += m[i][t]; } else { dx[o + t] = m[i][t]; }
      }
    }
  }
}

@compute @workgroup_size(WG)
fn dgrad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let segs = (p.W + 4u * PQ - 1u) / (4u * PQ);
  let tiles = (p.N * p.H * segs + WG - 1u) / WG;
  // A workgroup past the end (a 2-D grid's overhang) redoes the last one's work but stores
  // nothing: on SwiftShader an early return would mask, and slow, everything after it.
  let g0 = wid.x + wid.y * nwg.x;
  let total = tiles * ((p.C + R - 1u) / R);
  let g = min(g0, total - 1u);
  c0 = (g / tiles) * R;
  let j = (g % tiles) * WG + li;
  slive = j < p.N * p.H * segs && g0 < total;
  let jj = select(0u, j, slive);
  sn = jj / (p.H * segs);
  sih = (jj / segs) % p.H;
  siw = (jj % segs) * 4u * PQ;
  let taps = p.KH * p.KW;
  let bk = TS / taps;
  for (var kt = 0u; kt < p.K; kt += bk) {
    workgroupBarrier();
    // ws[t][i] = w[kt + t / taps, c0 + i, t % taps], 0 past C or K.
    for (var e = li; e < TS * R; e += WG) {
      let t = e / R;
      let c = c0 + e % R;
      let k = kt + t / taps;
      let ok = c < p.C && k < p.K;
      ws[e] = select(0.0, w[select(0u, (k * p.C + c) * taps + t % taps, ok)], ok);
    }
    workgroupBarrier();
    for (var k = kt; k < min(kt + bk, p.K); k++) {
      for (var kh = 0u; kh < p.KH; kh++) {
        dyrow(k, kh);
        // kw runs KW-1 down to 0: column iw needs ow = iw + PW - kw, one column further right each time.
        var u0 = vec4f(0.0);
        var u1 = vec4f(0.0);
        var u2 = vec4f(0.0);
        var u3 = vec4f(0.0);
        var u4 = vec4f(0.0);
        if (SLIDE) { u0 = cols(0u, 0u); u1 = cols(1u, 0u); u2 = cols(2u, 0u); u3 = cols(3u, 0u); u4 = cols(4u, 0u); }
        for (var d = 0u; d < p.KW; d++) {
          ts = ((k - kt) * p.KH + kh) * p.KW + p.KW - 1u - d;
          if (!SLIDE) { u0 = cols(0u, d); u1 = cols(1u, d); u2 = cols(2u, d); u3 = cols(3u, d); }
          step(u0, u1, u2, u3);
          if (SLIDE) {
            u0 = vec4f(u0.yzw, u1.x);
            u1 = vec4f(u1.yzw, u2.x);
            u2 = vec4f(u2.yzw, u3.x);
            u3 = vec4f(u3.yzw, u4.x);
            u4 = vec4f(u4.yzw, 0.0);
          }
        }
      }
    }
  }
  store_all();
}

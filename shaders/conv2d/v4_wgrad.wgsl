// conv2d v4 weight and bias gradients in one pass, an implicit GEMM over the output pixels:
//   dw[k, r] (+)= sum over j = (n, oh, ow) of dy'[n,k,oh,ow] * X[r, j] for taps r = (c,kh,kw) <
//   CKK, X as in v4_fwd.wgsl; a virtual tap r = CKK with X = 1 gives db[k] (+)= sum_j dy'[k, j].
//   dy' = dy * (y > 0) when RELU (the mask applied on load), else dy.
// Tiles: an invocation owns R output channels x 4*PQ taps (v4_tile.wgsl) over one slice of the
//   pixels; the WG invocations of a workgroup share the tile and split the pixels into WG
//   contiguous slices, then sum their partial tiles in workgroup memory (a fixed order:
//   deterministic, no atomics, no second pass).
// Bindings: p (conv2d/params.wgsl, CKK set); x, dy, y (read only with RELU) -> dw, db.
// Dispatch: 1-D workgroups of WG over a 2-D grid, ceil((CKK+1) / (4*PQ)) tap tiles (fastest) x
//   ceil(K / R) channel tiles. Indices in bounds by construction, as in v4_fwd.wgsl.

override WG: u32;
override RELU: bool = false;
override ACC_W: bool = false;
override ACC_B: bool = false;

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> dw: array<f32>;
@group(0) @binding(5) var<storage, read_write> db: array<f32>;

// Every slice's partial 4x4 block, one block at a time.
var<workgroup> red: array<vec4f, 4u * WG>;

// Four of this invocation's taps: x offset of channel c, kh, kw, r < CKK, r == CKK.
struct Taps { coff: vec4i, kh: vec4i, kw: vec4i, live: vec4<bool>, one: vec4<bool> }
var<private> t0: Taps;
var<private> t1: Taps;
var<private> t2: Taps;
var<private> t3: Taps;
var<private> k0: u32;
var<private> r0: u32;
// dy offset of (n, k0, oh, ow) at the current pixel.
var<private> doff: u32;
var<private> lid: u32;
var<private> wlive: bool;

fn row(i: u32) -> f32 {
  let ok = k0 + i < p.K;
  let o = select(0u, doff + i * p.OH * p.OW, ok);
  var v = dy[o];
  if (RELU) { v = select(0.0, v, y[o] > 0.0); }
  return select(0.0, v, ok);
}

fn taps(r: u32) -> Taps {
  var t: Taps;
  let khw = p.KH * p.KW;
  for (var i = 0u; i < 4u; i++) {
    let ri = min(r + i, p.CKK);
    t.live[i] = r + i < p.CKK;
    t.one[i] = r + i == p.CKK;
    t.coff[i] = i32((ri / khw) * p.H * p.W);
    t.kh[i] = i32((ri % khw) / p.KW);
    t.kw[i] = i32(ri % p.KW);
  }
  return t;
}

// X[r, j] for four taps at pixel j: xb = n*C*H*W, (ih0, iw0) = (oh*SH - PH, ow*SW - PW).
fn gather(t: Taps, xb: i32, ih0: i32, iw0: i32) -> vec4f {
  let ih = vec4i(ih0) + t.kh;
  let iw = vec4i(iw0) + t.kw;
  let ok = t.live & (ih >= vec4i(0)) & (ih < vec4i(i32(p.H))) & (iw >= vec4i(0)) & (iw < vec4i(i32(p.W)));
  let o = vec4u(select(vec4i(0), vec4i(xb) + t.coff + ih * i32(p.W) + iw, ok));
  let v = select(vec4f(0.0), vec4f(x[o.x], x[o.y], x[o.z], x[o.w]), ok);
  return select(v, vec4f(1.0), t.one);
}

// Sums block (q, pb) over the slices and writes it: invocation e < 16 takes row e/4, tap e%4.
fn store(q: u32, pb: u32, m: mat4x4f) {
  workgroupBarrier();
  for (var i = 0u; i < 4u; i++) { red[4u * lid + i] = m[i]; }
  workgroupBarrier();
  let i = lid / 4u;
  let jt = lid % 4u;
  let k = k0 + 4u * q + i;
  let r = r0 + 4u * pb + jt;
  if (wlive && lid < 16u && 4u * q + i < R && k < p.K && r <= p.CKK) {
    var s = 0.0;
    for (var sl = 0u; sl < WG; sl++) { s += red[4u * sl + i][jt]; }
    if (r < p.CKK) {
      let o = k * p.CKK + r;
      if (ACC_W) { dw[o] += s; } else { dw[o] = s; }
    } else if (ACC_B) { db[k] += s; } else { db[k] = s; }
  }
}

@compute @workgroup_size(WG)
fn wgrad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let tiles = (p.CKK + 1u + 4u * PQ - 1u) / (4u * PQ);
  // A workgroup past the end (a 2-D grid's overhang) redoes the last one's work but stores
  // nothing: on SwiftShader an early return would mask, and slow, everything after it.
  let g0 = wid.x + wid.y * nwg.x;
  let total = tiles * ((p.K + R - 1u) / R);
  let g = min(g0, total - 1u);
  wlive = g0 < total;
  lid = li;
  k0 = (g / tiles) * R;
  r0 = (g % tiles) * 4u * PQ;
  t0 = taps(r0);
  if (PQ > 1u) { t1 = taps(r0 + 4u); }
  if (PQ > 2u) { t2 = taps(r0 + 8u); }
  if (PQ > 3u) { t3 = taps(r0 + 12u); }
  // This slice: pixels [j, j1), walked with a carry through (n, oh, ow).
  let S = p.OH * p.OW;
  let NJ = p.N * S;
  let len = (NJ + WG - 1u) / WG;
  var j = min(li * len, NJ);
  let j1 = min(j + len, NJ);
  var n = j / S;
  var oh = (j % S) / p.OW;
  var ow = j % p.OW;
  let chw = i32(p.C * p.H * p.W);
  for (; j < j1; j++) {
    doff = (n * p.K + k0) * S + oh * p.OW + ow;
    let xb = i32(n) * chw;
    let ih0 = i32(oh * SH) - i32(p.PH);
    let iw0 = i32(ow * SW) - i32(p.PW);
    var g1 = vec4f(0.0);
    var g2 = vec4f(0.0);
    var g3 = vec4f(0.0);
    if (PQ > 1u) { g1 = gather(t1, xb, ih0, iw0); }
    if (PQ > 2u) { g2 = gather(t2, xb, ih0, iw0); }
    if (PQ > 3u) { g3 = gather(t3, xb, ih0, iw0); }
    step(gather(t0, xb, ih0, iw0), g1, g2, g3);
    ow++;
    if (ow == p.OW) { ow = 0u; oh++; if (oh == p.OH) { oh = 0u; n++; } }
  }
  store_all();
}

// Shared by conv2d v4's and v5's weight-gradient passes (included after v4_tile.wgsl): the loads
//   of the implicit GEMM dw[k, r] = sum over pixels j = (n, oh, ow) of dy'[n,k,oh,ow] * X[r, j],
//   taps r = (c,kh,kw) < CKK with X as in v4_fwd.wgsl, and a virtual tap r = CKK with X = 1 for
//   the bias. dy' = dy * (y > 0) when RELU (the mask applied on load), else dy. Then the
//   workgroup's sum of its WG invocations' partial blocks, in a fixed order (deterministic).
// Bindings: x, dy, y (read only with RELU); the including file adds its outputs from binding 4.
// The including file sets k0, r0 (the tile's first channel and tap), lid and, per pixel, doff.

override RELU: bool = false;

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;

// Every invocation's partial 4x4 block, one block at a time.
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

// The tile's taps: t0..t3 from r0.
fn tile_taps() {
  t0 = taps(r0);
  if (PQ > 1u) { t1 = taps(r0 + 4u); }
  if (PQ > 2u) { t2 = taps(r0 + 8u); }
  if (PQ > 3u) { t3 = taps(r0 + 12u); }
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

// One step of the tile at pixel (n, oh, ow).
fn pixel(n: u32, oh: u32, ow: u32) {
  doff = (n * p.K + k0) * p.OH * p.OW + oh * p.OW + ow;
  let xb = i32(n * p.C * p.H * p.W);
  let ih0 = i32(oh * SH) - i32(p.PH);
  let iw0 = i32(ow * SW) - i32(p.PW);
  var g1 = vec4f(0.0);
  var g2 = vec4f(0.0);
  var g3 = vec4f(0.0);
  if (PQ > 1u) { g1 = gather(t1, xb, ih0, iw0); }
  if (PQ > 2u) { g2 = gather(t2, xb, ih0, iw0); }
  if (PQ > 3u) { g3 = gather(t3, xb, ih0, iw0); }
  step(gather(t0, xb, ih0, iw0), g1, g2, g3);
}

// Block m summed over the workgroup's invocations: invocation e < 16 gets row e/4, tap e%4
// (the others 0). Every invocation must call it (barriers).
fn block_sum(m: mat4x4f) -> f32 {
  workgroupBarrier();
  for (var i = 0u; i < 4u; i++) { red[4u * lid + i] = m[i]; }
  workgroupBarrier();
  var s = 0.0;
  if (lid < 16u) {
    for (var sl = 0u; sl < WG; sl++) { s += red[4u * sl + lid / 4u][lid % 4u]; }
  }
  return s;
}

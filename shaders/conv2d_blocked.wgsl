// conv2d, register-blocked (v2). Same layouts as conv2d.wgsl: x [N,C,H,W], w [K,C,KH,KW].
//   fwd:    each invocation computes 4 output channels x 4 adjacent output columns of one row,
//           16 FMAs per 4 input + 4 weight loads. Grid over N * ceil(K/4) * OH * ceil(OW/4).
//   flip:   wt[c,k,kh,kw] = w[k,c,KH-1-kh,KW-1-kw]; for stride 1, dx = fwd(dy, wt) with padding
//           KH-1-PH, so the backward input pass reuses fwd. One invocation per weight.
//   (the weight gradient v2 is in conv2d_wgrad.wgsl)
// Bindings: 0 params, 1 a (x or dy), 2 b (w), 3 bias, 4 out.
// Out-of-range channels/taps read clamped indices and are dropped at the store.

struct P {
  N: u32, C: u32, H: u32, W: u32,
  K: u32, KH: u32, KW: u32, OH: u32,
  OW: u32, SH: u32, SW: u32, PH: u32,
  PW: u32, S: u32, NCH: u32, _pad: u32,
}

override WG: u32 = 64;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

fn id(wid: vec3u, nwg: vec3u, li: u32) -> u32 { return (wid.x + wid.y * nwg.x) * WG + li; }

// x[n, c, ih, iw], 0 outside the image.
fn xat(n: u32, c: u32, ih: i32, iw: i32) -> f32 {
  let inside = ih >= 0 && ih < i32(p.H) && iw >= 0 && iw < i32(p.W);
  let o = ((n * p.C + c) * p.H + u32(clamp(ih, 0, i32(p.H) - 1))) * p.W + u32(clamp(iw, 0, i32(p.W) - 1));
  return select(0.0, a[o], inside);
}

@compute @workgroup_size(WG)
fn fwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = id(wid, nwg, li);
  let owq = (p.OW + 3u) / 4u;
  let kq = (p.K + 3u) / 4u;
  if (i >= p.N * kq * p.OH * owq) { return; }
  let ow0 = (i % owq) * 4u;
  let oh = (i / owq) % p.OH;
  let k0 = ((i / (owq * p.OH)) % kq) * 4u;
  let n = i / (owq * p.OH * kq);
  let khw = p.KH * p.KW;
  // Four named accumulators and hoisted weight offsets: Subzero (SwiftShader's JIT) keeps
  // loop-indexed arrays in memory, named vectors in registers.
  let cs = p.C * khw;
  let w0 = min(k0, p.K - 1u) * cs;
  let w1 = min(k0 + 1u, p.K - 1u) * cs;
  let w2 = min(k0 + 2u, p.K - 1u) * cs;
  let w3 = min(k0 + 3u, p.K - 1u) * cs;
  let s = i32(p.SW);
  var a0 = vec4f(0.0);
  var a1 = vec4f(0.0);
  var a2 = vec4f(0.0);
  var a3 = vec4f(0.0);
  for (var c = 0u; c < p.C; c++) {
    for (var kh = 0u; kh < p.KH; kh++) {
      let ih = i32(oh * p.SH + kh) - i32(p.PH);
      if (ih < 0 || ih >= i32(p.H)) { continue; }
      let row = ((n * p.C + c) * p.H + u32(ih)) * p.W;
      for (var kw = 0u; kw < p.KW; kw++) {
        let iw0 = i32(ow0 * p.SW + kw) - i32(p.PW);
        var xv: vec4f;
        if (iw0 >= 0 && iw0 + 3 * s < i32(p.W)) {
          let o = row + u32(iw0);
          xv = vec4f(a[o], a[o + p.SW], a[o + 2u * p.SW], a[o + 3u * p.SW]);
        } else {
          xv = vec4f(xat(n, c, ih, iw0), xat(n, c, ih, iw0 + s), xat(n, c, ih, iw0 + 2 * s), xat(n, c, ih, iw0 + 3 * s));
        }
        let t = c * khw + kh * p.KW + kw;
        a0 += b[w0 + t] * xv;
        a1 += b[w1 + t] * xv;
        a2 += b[w2 + t] * xv;
        a3 += b[w3 + t] * xv;
      }
    }
  }
  let acc = array<vec4f, 4>(a0, a1, a2, a3);
  for (var kk = 0u; kk < 4u; kk++) {
    let k = k0 + kk;
    if (k >= p.K) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (ow0 + j >= p.OW) { break; }
      out[((n * p.K + k) * p.OH + oh) * p.OW + ow0 + j] = acc[kk][j] + bias[k];
    }
  }
}

@compute @workgroup_size(WG)
fn flip(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = id(wid, nwg, li);
  if (i >= p.K * p.C * p.KH * p.KW) { return; }
  let kw = i % p.KW;
  let kh = (i / p.KW) % p.KH;
  let k = (i / (p.KW * p.KH)) % p.K;
  let c = i / (p.KW * p.KH * p.K);
  out[i] = b[((k * p.C + c) * p.KH + (p.KH - 1u - kh)) * p.KW + (p.KW - 1u - kw)];
}

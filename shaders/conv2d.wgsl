// conv2d: direct convolution, NCHW activations, weights [K, C, KH, KW] (K = output channels).
//   fwd:        y[n,k,oh,ow]  = b[k] + sum_{c,kh,kw} x[n,c,oh*SH+kh-PH, ow*SW+kw-PW] * w[k,c,kh,kw]
//   bwd_input:  dx[n,c,ih,iw] = sum over (k,kh,kw) with oh*SH+kh-PH = ih (same for w) of dy * w
//   bwd_weight: dw[k,c,kh,kw] (+)= sum_{n,oh,ow} dy[n,k,oh,ow] * x[n,c,ih,iw]   (bias grad: bias.wgsl)
// Bindings (group 0): 0 params (uniform P), 1..2 inputs, 3 (fwd: bias) / output last.
// Dispatch: one invocation per output element, WG per workgroup; id = (wg.x + wg.y*nwg.x)*WG + local,
// so a 2-D grid covers more than 65535 workgroups. Out-of-padding taps read nothing.

struct P {
  N: u32, C: u32, H: u32, W: u32,
  K: u32, KH: u32, KW: u32, OH: u32,
  OW: u32, SH: u32, SW: u32, PH: u32,
  PW: u32, _a: u32, _b: u32, _c: u32,
}

override WG: u32 = 64;
override ACCUMULATE: bool = false; // bwd_weight adds into dw instead of overwriting it

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> a: array<f32>;       // fwd/bwd_weight: x; bwd_input: dy
@group(0) @binding(2) var<storage, read> bsrc: array<f32>;    // fwd/bwd_input: w; bwd_weight: dy
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

fn linear_id(wid: vec3u, nwg: vec3u, li: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * WG + li;
}

@compute @workgroup_size(WG)
fn fwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
       @builtin(local_invocation_index) li: u32) {
  let i = linear_id(wid, nwg, li);
  if (i >= p.N * p.K * p.OH * p.OW) { return; }
  let ow = i % p.OW;
  let oh = (i / p.OW) % p.OH;
  let k = (i / (p.OW * p.OH)) % p.K;
  let n = i / (p.OW * p.OH * p.K);
  var acc = bias[k];
  for (var c = 0u; c < p.C; c++) {
    let xb = (n * p.C + c) * p.H;
    let wb = (k * p.C + c) * p.KH;
    for (var kh = 0u; kh < p.KH; kh++) {
      let ih = i32(oh * p.SH + kh) - i32(p.PH);
      if (ih < 0 || ih >= i32(p.H)) { continue; }
      for (var kw = 0u; kw < p.KW; kw++) {
        let iw = i32(ow * p.SW + kw) - i32(p.PW);
        if (iw < 0 || iw >= i32(p.W)) { continue; }
        acc += a[(xb + u32(ih)) * p.W + u32(iw)] * bsrc[(wb + kh) * p.KW + kw];
      }
    }
  }
  out[i] = acc;
}

@compute @workgroup_size(WG)
fn bwd_input(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) li: u32) {
  let i = linear_id(wid, nwg, li);
  if (i >= p.N * p.C * p.H * p.W) { return; }
  let iw = i32(i % p.W);
  let ih = i32((i / p.W) % p.H);
  let c = (i / (p.W * p.H)) % p.C;
  let n = i / (p.W * p.H * p.C);
  var acc = 0.0;
  for (var k = 0u; k < p.K; k++) {
    let db = (n * p.K + k) * p.OH;
    let wb = (k * p.C + c) * p.KH;
    for (var kh = 0u; kh < p.KH; kh++) {
      let th = ih + i32(p.PH) - i32(kh);
      if (th < 0 || th % i32(p.SH) != 0) { continue; }
      let oh = u32(th) / p.SH;
      if (oh >= p.OH) { continue; }
      for (var kw = 0u; kw < p.KW; kw++) {
        let tw = iw + i32(p.PW) - i32(kw);
        if (tw < 0 || tw % i32(p.SW) != 0) { continue; }
        let ow = u32(tw) / p.SW;
        if (ow >= p.OW) { continue; }
        acc += a[(db + oh) * p.OW + ow] * bsrc[(wb + kh) * p.KW + kw];
      }
    }
  }
  out[i] = acc;
}

@compute @workgroup_size(WG)
fn bwd_weight(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) li: u32) {
  let i = linear_id(wid, nwg, li);
  if (i >= p.K * p.C * p.KH * p.KW) { return; }
  let kw = i % p.KW;
  let kh = (i / p.KW) % p.KH;
  let c = (i / (p.KW * p.KH)) % p.C;
  let k = i / (p.KW * p.KH * p.C);
  var acc = 0.0;
  for (var n = 0u; n < p.N; n++) {
    let xb = (n * p.C + c) * p.H;
    let db = (n * p.K + k) * p.OH;
    for (var oh = 0u; oh < p.OH; oh++) {
      let ih = i32(oh * p.SH + kh) - i32(p.PH);
      if (ih < 0 || ih >= i32(p.H)) { continue; }
      for (var ow = 0u; ow < p.OW; ow++) {
        let iw = i32(ow * p.SW + kw) - i32(p.PW);
        if (iw < 0 || iw >= i32(p.W)) { continue; }
        acc += bsrc[(db + oh) * p.OW + ow] * a[(xb + u32(ih)) * p.W + u32(iw)];
      }
    }
  }
  if (ACCUMULATE) { out[i] += acc; } else { out[i] = acc; }
}

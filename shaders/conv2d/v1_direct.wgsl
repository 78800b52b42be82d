// conv2d v1 (direct, the baseline): NCHW activations, weights [K, C, KH, KW] (K = output channels).
//   fwd:        y[n,k,oh,ow]  = bias[k] + sum_{c,kh,kw} x[n,c,oh*SH+kh-PH, ow*SW+kw-PW] * w[k,c,kh,kw]
//   bwd_input:  dx[n,c,ih,iw] = sum over (k,kh,kw) with oh*SH+kh-PH = ih (same for w) of dy * w
//   bwd_weight: dw[k,c,kh,kw] (+)= sum_{n,oh,ow} dy[n,k,oh,ow] * x[n,c,ih,iw]   (bias grad: bias.wgsl)
// Bindings: p (conv2d/params.wgsl); fwd x, w, bias -> y; bwd_input dy, w -> dx; bwd_weight x, dy -> dw.
// Dispatch: one invocation per output element, WG per workgroup, flat_id over a 2-D grid (more
// than 65535 workgroups). Out-of-padding taps read nothing.

override WG: u32;
override ACCUMULATE: bool = false; // bwd_weight adds into dw instead of overwriting it

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read> dy: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;
@group(0) @binding(7) var<storage, read_write> dw: array<f32>;

@compute @workgroup_size(WG)
fn fwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
       @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
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
        acc += x[(xb + u32(ih)) * p.W + u32(iw)] * w[(wb + kh) * p.KW + kw];
      }
    }
  }
  y[i] = acc;
}

@compute @workgroup_size(WG)
fn bwd_input(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
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
        acc += dy[(db + oh) * p.OW + ow] * w[(wb + kh) * p.KW + kw];
      }
    }
  }
  dx[i] = acc;
}

@compute @workgroup_size(WG)
fn bwd_weight(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
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
        acc += dy[(db + oh) * p.OW + ow] * x[(xb + u32(ih)) * p.W + u32(iw)];
      }
    }
  }
  if (ACCUMULATE) { dw[i] += acc; } else { dw[i] = acc; }
}

// pool2d v1 (gather, the baseline): max and average pooling over NCHW f32, window KHxKW,
//   stride SH/SW, padding PH/PW (at most half the window; padded taps never win or count).
//   max_fwd: y = max over window; idx = ih*W+iw of the winner (first max), kept for the backward.
//   max_bwd: dx[n,c,ih,iw] = sum of dy over windows covering (ih,iw) whose idx points at it
//            (a gather: deterministic, no float atomics).
//   avg_fwd: y = sum over window / (KH*KW)   (padding counts, as PyTorch's count_include_pad)
//   avg_bwd: dx = sum of dy/(KH*KW) over covering windows.
// Bindings: p, src (x or dy), dst (y or dx), idx ([N,C,OH,OW] u32, max only).
// Dispatch: one invocation per output element (fwd) or input element (bwd), WG per workgroup,
//   on the 2-D grid of common/index.wgsl's flat_id.

// The geometry uniform p and override WG: params.wgsl (included first).
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read_write> idx: array<u32>;

// Output rows/cols whose window covers input coordinate i: [lo, hi).
fn cover(i: u32, pad: u32, k: u32, s: u32, o: u32) -> vec2u {
  let t = i32(i + pad);
  let lo = max(0, (t - i32(k) + i32(s)) / i32(s));
  let hi = min(i32(o), t / i32(s) + 1);
  return vec2u(u32(lo), u32(max(hi, lo)));
}

@compute @workgroup_size(WG)
fn max_fwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.N * p.C * p.OH * p.OW) { return; }
  let ow = i % p.OW;
  let oh = (i / p.OW) % p.OH;
  let plane = i / (p.OW * p.OH);
  var best = 0.0; // replaced by the first in-window tap (at == none)
  var at = 0xffffffffu;
  for (var kh = 0u; kh < p.KH; kh++) {
    let ih = i32(oh * p.SH + kh) - i32(p.PH);
    if (ih < 0 || ih >= i32(p.H)) { continue; }
    for (var kw = 0u; kw < p.KW; kw++) {
      let iw = i32(ow * p.SW + kw) - i32(p.PW);
      if (iw < 0 || iw >= i32(p.W)) { continue; }
      let j = u32(ih) * p.W + u32(iw);
      let v = src[plane * p.H * p.W + j];
      if (at == 0xffffffffu || v > best) { best = v; at = j; }
    }
  }
  dst[i] = best;
  idx[i] = at;
}

@compute @workgroup_size(WG)
fn max_bwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.N * p.C * p.H * p.W) { return; }
  let iw = i % p.W;
  let ih = (i / p.W) % p.H;
  let plane = i / (p.W * p.H);
  let me = ih * p.W + iw;
  let rh = cover(ih, p.PH, p.KH, p.SH, p.OH);
  let rw = cover(iw, p.PW, p.KW, p.SW, p.OW);
  var acc = 0.0;
  for (var oh = rh.x; oh < rh.y; oh++) {
    for (var ow = rw.x; ow < rw.y; ow++) {
      let o = (plane * p.OH + oh) * p.OW + ow;
      if (idx[o] == me) { acc += src[o]; }
    }
  }
  dst[i] = acc;
}

@compute @workgroup_size(WG)
fn avg_fwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.N * p.C * p.OH * p.OW) { return; }
  let ow = i % p.OW;
  let oh = (i / p.OW) % p.OH;
  let plane = i / (p.OW * p.OH);
  var acc = 0.0;
  for (var kh = 0u; kh < p.KH; kh++) {
    let ih = i32(oh * p.SH + kh) - i32(p.PH);
    if (ih < 0 || ih >= i32(p.H)) { continue; }
    for (var kw = 0u; kw < p.KW; kw++) {
      let iw = i32(ow * p.SW + kw) - i32(p.PW);
      if (iw < 0 || iw >= i32(p.W)) { continue; }
      acc += src[(plane * p.H + u32(ih)) * p.W + u32(iw)];
    }
  }
  dst[i] = acc / f32(p.KH * p.KW);
}

@compute @workgroup_size(WG)
fn avg_bwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.N * p.C * p.H * p.W) { return; }
  let iw = i % p.W;
  let ih = (i / p.W) % p.H;
  let plane = i / (p.W * p.H);
  let rh = cover(ih, p.PH, p.KH, p.SH, p.OH);
  let rw = cover(iw, p.PW, p.KW, p.SW, p.OW);
  var acc = 0.0;
  for (var oh = rh.x; oh < rh.y; oh++) {
    for (var ow = rw.x; ow < rw.y; ow++) {
      acc += src[(plane * p.OH + oh) * p.OW + ow];
    }
  }
  dst[i] = acc / f32(p.KH * p.KW);
}

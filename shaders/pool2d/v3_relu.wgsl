// pool2d v3 max_relu_fwd (max pooling of a ReLU's input, the ReLU fused): y = max(0, max over
//   the window of x) = the max pool of relu(x), over NCHW f32 with v1's windows (stride,
//   padding at most half the window; padded taps never win). idx = the winner (first maximum,
//   ih*W+iw in its plane) where y > 0, else 0xffffffff: then no input gets the window's
//   gradient, which is the ReLU's backward mask. So both of v1's and v2's max_bwd serve as
//   the backward unchanged, and relu(x) is never written out.
// Bindings: p (params.wgsl), src (x), dst (y), idx ([N,C,OH,OW] u32).
// Dispatch: one invocation per output element, WG per workgroup, 2-D grid via flat_id.

// The geometry uniform p and override WG: params.wgsl (included first).
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read_write> idx: array<u32>;

@compute @workgroup_size(WG)
fn max_relu_fwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.N * p.C * p.OH * p.OW) { return; }
  let ow = i % p.OW;
  let oh = (i / p.OW) % p.OH;
  let plane = i / (p.OW * p.OH);
  // Only a positive tap can win: the ReLU maps the rest to 0, which y starts at.
  var best = 0.0;
  var at = 0xffffffffu;
  for (var kh = 0u; kh < p.KH; kh++) {
    let ih = i32(oh * p.SH + kh) - i32(p.PH);
    if (ih < 0 || ih >= i32(p.H)) { continue; }
    for (var kw = 0u; kw < p.KW; kw++) {
      let iw = i32(ow * p.SW + kw) - i32(p.PW);
      if (iw < 0 || iw >= i32(p.W)) { continue; }
      let j = u32(ih) * p.W + u32(iw);
      let v = src[plane * p.H * p.W + j];
      if (v > best) { best = v; at = j; }
    }
  }
  dst[i] = best;
  idx[i] = at;
}

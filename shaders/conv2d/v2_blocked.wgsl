// conv2d v2 forward, register-blocked. Same layouts as v1_direct.wgsl: x [N,C,H,W], w [K,C,KH,KW].
//   fwd:    each invocation computes 4 output channels x 4 adjacent output columns of one row,
//           16 FMAs per 4 input + 4 weight loads. Grid over N * ceil(K/4) * OH * ceil(OW/4).
//           The input gradient at stride 1 runs it too: dx = fwd(dy, wt) with padding KH-1-PH
//           and a zero bias (bound as x = dy, w = wt, y = dx).
//   flip:   wt[c,k,kh,kw] = w[k,c,KH-1-kh,KW-1-kw]; one invocation per weight.
//   (the v2 weight gradient is in v2_wgrad.wgsl)
// Bindings: p (conv2d/params.wgsl); fwd x, w, bias -> y; flip w -> wt.
// Dispatch: 1-D, WG per workgroup, flat_id over a 2-D grid. Out-of-range channels/taps read
// clamped indices and are dropped at the store.

override WG: u32;

// x (binding 1) and xat(): v2_input.wgsl, included first.
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> wt: array<f32>;

@compute @workgroup_size(WG)
fn fwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
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
          xv = vec4f(x[o], x[o + p.SW], x[o + 2u * p.SW], x[o + 3u * p.SW]);
        } else {
          xv = vec4f(xat(n, c, ih, iw0), xat(n, c, ih, iw0 + s), xat(n, c, ih, iw0 + 2 * s), xat(n, c, ih, iw0 + 3 * s));
        }
        let t = c * khw + kh * p.KW + kw;
        a0 += w[w0 + t] * xv;
        a1 += w[w1 + t] * xv;
        a2 += w[w2 + t] * xv;
        a3 += w[w3 + t] * xv;
      }
    }
  }
  let acc = array<vec4f, 4>(a0, a1, a2, a3);
  for (var kk = 0u; kk < 4u; kk++) {
    let k = k0 + kk;
    if (k >= p.K) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (ow0 + j >= p.OW) { break; }
      y[((n * p.K + k) * p.OH + oh) * p.OW + ow0 + j] = acc[kk][j] + bias[k];
    }
  }
}

@compute @workgroup_size(WG)
fn flip(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.K * p.C * p.KH * p.KW) { return; }
  let kw = i % p.KW;
  let kh = (i / p.KW) % p.KH;
  let k = (i / (p.KW * p.KH)) % p.K;
  let c = i / (p.KW * p.KH * p.K);
  wt[i] = w[((k * p.C + c) * p.KH + (p.KH - 1u - kh)) * p.KW + (p.KW - 1u - kw)];
}

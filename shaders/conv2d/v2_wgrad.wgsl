// conv2d v2 weight gradient, register-blocked. x [N,C,H,W], dy [N,K,OH,OW], dw [K,C,KH,KW].
//   wgrad: part[s,k,j] = sum over the s-th chunk of the batch (NCH images) and all output
//          pixels of dy[n,k,oh,ow] * x[n,c,ih,iw], for 4 channels x 4 taps j = (c,kh,kw) per
//          invocation; grid over S * ceil(K/4) * ceil(C*KH*KW/4). Chunks give parallelism when
//          the weight is small; wsum then adds the S partials (deterministic, no atomics).
//   wsum:  dw[j] (+)= sum_s parts[s, j]; one invocation per weight.
// Bindings: p (conv2d/params.wgsl); wgrad x, dy -> part; wsum parts -> dw.
// Dispatch: 1-D, WG per workgroup, flat_id over a 2-D grid.

override WG: u32;
override ACCUMULATE: bool = false;

// x (binding 1) and xat(): v2_input.wgsl, included first.
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> part: array<f32>;
@group(0) @binding(4) var<storage, read> parts: array<f32>;
@group(0) @binding(5) var<storage, read_write> dw: array<f32>;

@compute @workgroup_size(WG)
fn wgrad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  let taps = p.C * p.KH * p.KW;
  let tq = (taps + 3u) / 4u;
  let kq = (p.K + 3u) / 4u;
  if (i >= p.S * kq * tq) { return; }
  let j0 = (i % tq) * 4u;
  let k0 = ((i / tq) % kq) * 4u;
  let s = i / (tq * kq);
  var tc: vec4u;
  var th: vec4i;
  var tw: vec4i;
  for (var t = 0u; t < 4u; t++) {
    let j = min(j0 + t, taps - 1u);
    tc[t] = j / (p.KH * p.KW);
    th[t] = i32((j / p.KW) % p.KH) - i32(p.PH);
    tw[t] = i32(j % p.KW) - i32(p.PW);
  }
  let step = p.OH * p.OW;
  let d0 = min(k0, p.K - 1u) * step;
  let d1 = min(k0 + 1u, p.K - 1u) * step;
  let d2 = min(k0 + 2u, p.K - 1u) * step;
  let d3 = min(k0 + 3u, p.K - 1u) * step;
  var a0 = vec4f(0.0);
  var a1 = vec4f(0.0);
  var a2 = vec4f(0.0);
  var a3 = vec4f(0.0);
  let n1 = min(p.N, (s + 1u) * p.NCH);
  for (var n = s * p.NCH; n < n1; n++) {
    for (var oh = 0u; oh < p.OH; oh++) {
      let ih = vec4i(i32(oh * p.SH)) + th;
      for (var ow = 0u; ow < p.OW; ow++) {
        let iw = vec4i(i32(ow * p.SW)) + tw;
        let xv = vec4f(xat(n, tc.x, ih.x, iw.x), xat(n, tc.y, ih.y, iw.y), xat(n, tc.z, ih.z, iw.z), xat(n, tc.w, ih.w, iw.w));
        let d = (n * p.K * p.OH + oh) * p.OW + ow;
        a0 += dy[d + d0] * xv;
        a1 += dy[d + d1] * xv;
        a2 += dy[d + d2] * xv;
        a3 += dy[d + d3] * xv;
      }
    }
  }
  let acc = array<vec4f, 4>(a0, a1, a2, a3);
  for (var kk = 0u; kk < 4u; kk++) {
    if (k0 + kk >= p.K) { break; }
    for (var t = 0u; t < 4u; t++) {
      if (j0 + t >= taps) { break; }
      part[(s * p.K + k0 + kk) * taps + j0 + t] = acc[kk][t];
    }
  }
}

@compute @workgroup_size(WG)
fn wsum(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  let total = p.K * p.C * p.KH * p.KW;
  if (i >= total) { return; }
  var acc = 0.0;
  for (var s = 0u; s < p.S; s++) { acc += parts[s * total + i]; }
  if (ACCUMULATE) { dw[i] += acc; } else { dw[i] = acc; }
}

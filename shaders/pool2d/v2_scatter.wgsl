// pool2d v2 max_bwd (scatter): for windows that tile the input (stride = kernel, no padding),
//   one invocation per window writes its whole patch: dy at the winner, 0 elsewhere; the last
//   row and column of windows also zero the uncovered remainder (H % KH, W % KW). No divisions
//   per input element, and every dx element is written exactly once. The forward is v1's max_fwd.
// Bindings: p (as v1_gather.wgsl; SH, SW, PH, PW unused), src (dy), dst (dx), idx (winners).
// Dispatch: one invocation per window (N*C*OH*OW), WG per workgroup, 2-D grid via flat_id.

// The geometry uniform p and override WG: params.wgsl (included first).
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> idx: array<u32>;

@compute @workgroup_size(WG)
fn max_bwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.N * p.C * p.OH * p.OW) { return; }
  let ow = i % p.OW;
  let oh = (i / p.OW) % p.OH;
  let plane = (i / (p.OW * p.OH)) * p.H * p.W;
  let win = idx[i];
  let g = src[i];
  let h1 = select(oh * p.KH + p.KH, p.H, oh == p.OH - 1u);
  let w1 = select(ow * p.KW + p.KW, p.W, ow == p.OW - 1u);
  for (var ih = oh * p.KH; ih < h1; ih++) {
    for (var iw = ow * p.KW; iw < w1; iw++) {
      let j = ih * p.W + iw;
      dst[plane + j] = select(0.0, g, j == win);
    }
  }
}

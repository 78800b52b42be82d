// bias grad v2 (serial): db[c] (+)= sum_{n,s} dy[n,c,s] as bias/v1_tree.wgsl, but one invocation
//   per channel sums serially: no workgroup memory or barriers (which SwiftShader runs as fiber
//   switches). For the small N*S of dense layers; a long serial sum is slow on real GPUs.
// Bindings: p {N,C,S}, dy [N,C,S], db [C].
// Dispatch: one invocation per channel, WG per workgroup, grid (ceil(C/WG),1,1).

struct P { N: u32, C: u32, S: u32, _pad: u32 }

override WG: u32;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> db: array<f32>;

@compute @workgroup_size(WG)
fn grad(@builtin(global_invocation_id) g: vec3u) {
  let c = g.x;
  if (c >= p.C) { return; }
  var acc = 0.0;
  for (var n = 0u; n < p.N; n++) {
    let row = (n * p.C + c) * p.S;
    for (var s = 0u; s < p.S; s++) { acc += dy[row + s]; }
  }
  if (ACCUMULATE) { db[c] += acc; } else { db[c] = acc; }
}

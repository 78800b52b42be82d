// bias grad v1 (workgroup tree sum, the baseline): db[c] (+)= sum_{n,s} dy[n,c,s] for dy viewed
//   as [N, C, S] (conv2d and dense bias gradients). ACCUMULATE adds into db.
// Bindings: p {N,C,S}, dy [N,C,S], db [C].
// Dispatch: one workgroup of WG invocations (a power of two) per channel, grid (C,1,1): strided
//   loads, then a tree sum in workgroup memory.

struct P { N: u32, C: u32, S: u32, _pad: u32 }

override WG: u32;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> db: array<f32>;

var<workgroup> part: array<f32, WG>;

@compute @workgroup_size(WG)
fn grad(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let c = wid.x;
  // The grid is exactly C, but in bounds by the shader alone (Node runs Dawn without robustness);
  // c is uniform across the workgroup, so this return keeps the barriers below uniform.
  if (c >= p.C) { return; }
  let count = p.N * p.S;
  var acc = 0.0;
  for (var j = li; j < count; j += WG) {
    let n = j / p.S;
    acc += dy[(n * p.C + c) * p.S + j % p.S];
  }
  part[li] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (li < s) { part[li] += part[li + s]; }
    workgroupBarrier();
  }
  if (li == 0u) {
    if (ACCUMULATE) { db[c] += part[0]; } else { db[c] = part[0]; }
  }
}

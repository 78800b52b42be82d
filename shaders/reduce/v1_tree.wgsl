// reduce v1 (workgroup tree): out[0] = scale * sum(x[0..n))  (sum: scale = 1; mean: scale = 1/n,
//   set by the host). Meant for loss vectors and metrics, not bandwidth-bound reductions of
//   large tensors: one workgroup does all the work.
// Bindings: p {n, scale}, x, out (one f32).
// Dispatch: a single workgroup of WG invocations (a power of two), grid (1,1,1): each sums a
//   strided slice in f32, then a workgroup tree reduction.

struct P { n: u32, scale: f32, _a: u32, _b: u32 }

override WG: u32;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> part: array<f32, WG>;

@compute @workgroup_size(WG)
fn sum(@builtin(local_invocation_index) li: u32) {
  var acc = 0.0;
  for (var j = li; j < p.n; j += WG) { acc += x[j]; }
  part[li] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (li < s) { part[li] += part[li + s]; }
    workgroupBarrier();
  }
  if (li == 0u) { out[0] = part[0] * p.scale; }
}

// Shared by the batchnorm reductions (included after params.wgsl): a workgroup tree sum. WG must
// be a power of two; call from uniform control flow (it holds barriers).
var<workgroup> part: array<f32, WG>;

/** The sum of every invocation's v, returned to all of them; part is free again on return. */
fn tree_sum(li: u32, v: f32) -> f32 {
  part[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (li < s) { part[li] += part[li + s]; }
    workgroupBarrier();
  }
  let total = part[0];
  workgroupBarrier();
  return total;
}

// metrics v1 (one invocation per row): classification results over logits [B, K], kept on the
// GPU across batches.
//   argmax:  pred[b] = first index of the row maximum
//   correct: count[0] += number of rows whose argmax equals label[b] (atomic; the host clears
//            the counter once per evaluation and reads it back once at the end)
// Bindings: p {B, K}, z [B,K], labels [B] (u32), pred [B] (u32), count [1] (atomic u32).
//   Needs common/index.wgsl (flat_id).
// Dispatch: one invocation per row, WG per workgroup, on a 2-D grid (row = flat_id).

struct P { B: u32, K: u32, _a: u32, _b: u32 }

override WG: u32;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> pred: array<u32>;
@group(0) @binding(4) var<storage, read_write> count: atomic<u32>;

fn row_argmax(o: u32) -> u32 {
  var best = z[o];
  var at = 0u;
  for (var k = 1u; k < p.K; k++) {
    if (z[o + k] > best) { best = z[o + k]; at = k; }
  }
  return at;
}

@compute @workgroup_size(WG)
fn argmax(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let b = flat_id(wid, nwg, li);
  if (b >= p.B) { return; }
  pred[b] = row_argmax(b * p.K);
}

@compute @workgroup_size(WG)
fn correct(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let b = flat_id(wid, nwg, li);
  if (b >= p.B) { return; }
  if (row_argmax(b * p.K) == labels[b]) { atomicAdd(&count, 1u); }
}

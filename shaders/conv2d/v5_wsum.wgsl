// conv2d v5: the weight and bias gradients from the Z split-K partials part [Z, K, CKK+1] of
//   v5_wgrad.wgsl, added in chunk order (deterministic run to run, no atomics).
//   sum_w: dw[k, r] (+)= sum_z part[z, k, r] for taps r < CKK; one invocation per weight.
//   sum_b: db[k] (+)= sum_z part[z, k, CKK] (the all-ones tap); one invocation per channel.
// Bindings: p (conv2d/params.wgsl, CKK and Z set); part -> dw (sum_w) or db (sum_b).
// Dispatch: 1-D, WG per workgroup, flat_id over a 2-D grid; invocations past the end return.

override WG: u32;
override ACCUMULATE: bool = false;

@group(0) @binding(1) var<storage, read> part: array<f32>;
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;
@group(0) @binding(3) var<storage, read_write> db: array<f32>;

// Chunk-ordered sum of column r of row k.
fn chunks(k: u32, r: u32) -> f32 {
  var s = 0.0;
  for (var z = 0u; z < p.Z; z++) { s += part[(z * p.K + k) * (p.CKK + 1u) + r]; }
  return s;
}

@compute @workgroup_size(WG)
fn sum_w(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.K * p.CKK) { return; }
  let s = chunks(i / p.CKK, i % p.CKK);
  if (ACCUMULATE) { dw[i] += s; } else { dw[i] = s; }
}

@compute @workgroup_size(WG)
fn sum_b(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let k = flat_id(wid, nwg, li);
  if (k >= p.K) { return; }
  let s = chunks(k, p.CKK);
  if (ACCUMULATE) { db[k] += s; } else { db[k] = s; }
}

// dropout v1: inverted dropout with a counter-based hash, so the mask needs no RNG state and the
//   same (seed, index) gives the same mask on every backend and in the CPU reference.
//   fwd: u = hash01(seed, i); mask[i] = u >= rate ? 1/(1-rate) : 0; y = x * mask
//   bwd: dx = dy * mask
// Bindings: p {n, seed, rate}, src [n] (x or dy), mask [n] (written by fwd, read by bwd),
//   dst [n] (y or dx). Needs common/index.wgsl (flat_id) and common/hash.wgsl (hash01).
// Dispatch: one invocation per element, WG per workgroup, on a 2-D grid (id = flat_id).

struct P { n: u32, seed: u32, rate: f32, _pad: u32 }

override WG: u32;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> mask: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG)
fn fwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.n) { return; }
  let keep = hash01(p.seed, i) >= p.rate;
  let m = select(0.0, 1.0 / (1.0 - p.rate), keep);
  mask[i] = m;
  dst[i] = src[i] * m;
}

@compute @workgroup_size(WG)
fn bwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.n) { return; }
  dst[i] = src[i] * mask[i];
}

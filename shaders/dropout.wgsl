// dropout: inverted dropout with a counter-based hash, so the mask needs no RNG state and the
//   same (seed, index) gives the same mask on every backend and in the CPU reference.
//   fwd: u = hash01(seed, i); mask[i] = u >= rate ? 1/(1-rate) : 0; y = x * mask
//   bwd: dx = dy * mask
// Bindings: 0 params {n, seed, rate}, 1 src (x or dy), 2 mask (rw), 3 dst (y or dx).
// Dispatch: one invocation per element on a 2-D grid: id = (wg.x + wg.y*nwg.x)*WG + local.

struct P { n: u32, seed: u32, rate: f32, _pad: u32 }

override WG: u32 = 64;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> mask: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

// PCG-style integer hash (one round of the RXS-M-XS output function).
fn pcg(v: u32) -> u32 {
  let s = v * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}

fn hash01(seed: u32, i: u32) -> f32 {
  return f32(pcg(i ^ pcg(seed)) >> 8u) / 16777216.0;
}

@compute @workgroup_size(WG)
fn fwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + li;
  if (i >= p.n) { return; }
  let keep = hash01(p.seed, i) >= p.rate;
  let m = select(0.0, 1.0 / (1.0 - p.rate), keep);
  mask[i] = m;
  dst[i] = src[i] * m;
}

@compute @workgroup_size(WG)
fn bwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + li;
  if (i >= p.n) { return; }
  dst[i] = src[i] * mask[i];
}

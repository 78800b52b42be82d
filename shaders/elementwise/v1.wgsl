// elementwise v1: flat f32 tensors of n elements.
//   add:   out = a + b
//   scale: out = alpha * a
//   axpy:  out += alpha * a        (gradient accumulation when a tensor feeds several ops)
//   fill:  out = alpha
// Bindings: p {n, alpha}, a, b (add only), out.
// Dispatch: one invocation per element, WG per workgroup, 2-D grid via flat_id.

struct P { n: u32, alpha: f32, _a: u32, _b: u32 }

override WG: u32;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn add(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i < p.n) { out[i] = a[i] + b[i]; }
}

@compute @workgroup_size(WG)
fn scale(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i < p.n) { out[i] = p.alpha * a[i]; }
}

@compute @workgroup_size(WG)
fn axpy(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i < p.n) { out[i] += p.alpha * a[i]; }
}

@compute @workgroup_size(WG)
fn fill(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i < p.n) { out[i] = p.alpha; }
}

// relu v1: ReLU over a flat f32 tensor of n elements.
//   relu_fwd: y = max(x, 0)
//   relu_bwd: dx = dy where x > 0, else 0 (subgradient 0 at x == 0, as PyTorch); x is the input.
// Bindings: p {n}, x, dy (bwd only), out (y or dx).
// Dispatch: one invocation per element, WG per workgroup, 2-D grid via flat_id.

struct P { n: u32, _a: u32, _b: u32, _c: u32 }

override WG: u32;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn relu_fwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.n) { return; }
  out[i] = max(x[i], 0.0);
}

@compute @workgroup_size(WG)
fn relu_bwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.n) { return; }
  out[i] = select(0.0, dy[i], x[i] > 0.0);
}

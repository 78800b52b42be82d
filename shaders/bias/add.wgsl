// bias add (shared by every bias version): y[n,c,s] += b[c] in place, for y viewed as [N, C, S]
//   (S = H*W for NCHW, 1 for a dense [N, C]); runs after a matmul or conv without bias.
// Bindings: p {N,C,S}, b [C], y [N,C,S].
// Dispatch: one invocation per element of y, WG per workgroup, 2-D grid via flat_id.

struct P { N: u32, C: u32, S: u32, _pad: u32 }

override WG: u32;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn add(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
       @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.N * p.C * p.S) { return; }
  y[i] += b[(i / p.S) % p.C];
}

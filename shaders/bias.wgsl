// bias: per-channel bias over a tensor viewed as [N, C, S] (S = H*W for NCHW, 1 for dense [N, C]).
//   add:  y[n,c,s] += b[c]                      (in place, after matmul/conv without bias)
//   grad: db[c] (+)= sum_{n,s} dy[n,c,s]        (conv2d and dense bias gradient)
// Bindings: 0 params {N,C,S}, add: 1 b, 2 y;  grad: 3 dy, 4 db.
// Dispatch: add, one invocation per element on a 2-D grid (id = (wg.x + wg.y*nwg.x)*WG + local);
//   grad, one workgroup of WG invocations per channel (grid (C,1,1)), strided loads then a tree sum;
//   grad_serial (v2), one invocation per channel.

struct P { N: u32, C: u32, S: u32, _pad: u32 }

override WG: u32 = 64;          // power of two
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> db: array<f32>;

var<workgroup> part: array<f32, WG>;

@compute @workgroup_size(WG)
fn add(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
       @builtin(local_invocation_index) li: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + li;
  if (i >= p.N * p.C * p.S) { return; }
  y[i] += b[(i / p.S) % p.C];
}

@compute @workgroup_size(WG)
fn grad(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let c = wid.x;
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

// grad v2: one invocation per channel summing serially, no workgroup memory or barriers (which
// SwiftShader runs as fiber switches); for the small N*S of dense layers. Grid: ceil(C/WG) x 1.
@compute @workgroup_size(WG)
fn grad_serial(@builtin(global_invocation_id) g: vec3u) {
  let c = g.x;
  if (c >= p.C) { return; }
  var acc = 0.0;
  for (var n = 0u; n < p.N; n++) {
    let row = (n * p.C + c) * p.S;
    for (var s = 0u; s < p.S; s++) { acc += dy[row + s]; }
  }
  if (ACCUMULATE) { db[c] += acc; } else { db[c] = acc; }
}

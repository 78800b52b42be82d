// matmul v2 (shared-memory tiles): same contract as v1 (TRANS_A, TRANS_B, ACCUMULATE).
// A square T x T output tile per workgroup (T = WG_X = WG_Y), staged through workgroup memory
//   in K-steps of T. Every load is guarded with an `if` (not `select`, which evaluates both
//   sides): edge tiles never read past A or B, so the kernel is in bounds without robustness.
// Bindings: p {M,N,K}, A, B, C.
// Dispatch: workgroup (T, T), grid (ceil(N/T), ceil(M/T)).

// Sizes, switches, workgroup overrides and bindings: sizes.wgsl and operands.wgsl (included first).

var<workgroup> ta: array<f32, WG_X * WG_X>;
var<workgroup> tb: array<f32, WG_X * WG_X>;

fn a_at(m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= p.K) { return 0.0; }
  if (TRANS_A) { return A[k * p.M + m]; }
  return A[m * p.K + k];
}

fn b_at(k: u32, n: u32) -> f32 {
  if (k >= p.K || n >= p.N) { return 0.0; }
  if (TRANS_B) { return B[n * p.K + k]; }
  return B[k * p.N + n];
}

@compute @workgroup_size(WG_X, WG_Y)
fn tiled(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let T = WG_X;
  let m = wid.y * T + lid.y;
  let n = wid.x * T + lid.x;
  var acc = 0.0;
  for (var k0 = 0u; k0 < p.K; k0 += T) {
    // Each invocation stages one A element (row m) and one B element (column n).
    ta[lid.y * T + lid.x] = a_at(m, k0 + lid.x);
    tb[lid.y * T + lid.x] = b_at(k0 + lid.y, n);
    workgroupBarrier();
    for (var k = 0u; k < T; k++) { acc += ta[lid.y * T + k] * tb[k * T + lid.x]; }
    workgroupBarrier();
  }
  if (m < p.M && n < p.N) {
    let o = m * p.N + n;
    if (ACCUMULATE) { C[o] += acc; } else { C[o] = acc; }
  }
}

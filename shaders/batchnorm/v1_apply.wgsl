// batchnorm v1, the elementwise passes over x viewed as [N, C, S], M = N*S:
//   apply:     y = (x - mean[c]) * inverseSqrt(variance[c] + eps) * gamma[c] + beta[c], with the
//              batch statistics (training) or the running ones (evaluation).
//   bwd_dx:    dx (+)= gamma[c] * inv * (dy - sum_dy[c] / M - xhat * sum_dyx[c] / M), the
//              batch-statistics gradient, inv = inverseSqrt(variance[c] + eps),
//              xhat = (x - mean[c]) * inv. ACCUMULATE adds into dx.
// Bindings (apply_bindings.wgsl, with ACCUMULATE): p (params.wgsl), x, dy, y, dx [N,C,S];
//   mean, variance, gamma, beta, sum_dy, sum_dyx [C].
// Dispatch: one invocation per element, WG per workgroup, 2-D grid via flat_id.

@compute @workgroup_size(WG)
fn apply(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.N * p.C * p.S) { return; }
  let c = (i / p.S) % p.C;
  y[i] = (x[i] - mean[c]) * inverseSqrt(variance[c] + p.eps) * gamma[c] + beta[c];
}

@compute @workgroup_size(WG)
fn bwd_dx(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
          @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.N * p.C * p.S) { return; }
  let c = (i / p.S) % p.C;
  let m = f32(p.N * p.S);
  let inv = inverseSqrt(variance[c] + p.eps);
  let xhat = (x[i] - mean[c]) * inv;
  let d = gamma[c] * inv * (dy[i] - sum_dy[c] / m - xhat * sum_dyx[c] / m);
  if (ACCUMULATE) { dx[i] += d; } else { dx[i] = d; }
}

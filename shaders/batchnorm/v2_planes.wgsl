// batchnorm v2, the elementwise passes one invocation per image plane (n, c), looping
// over its S values: the channel's constants once per plane, no integer division per element.
//   apply:  y = (x - mean[c]) * inverseSqrt(variance[c] + eps) * gamma[c] + beta[c], with the
//           batch statistics (training) or the running ones (evaluation).
//   bwd_dx: dx (+)= gamma[c] * inv * (dy - sum_dy[c] / M - xhat * sum_dyx[c] / M), M = N*S,
//           inv = inverseSqrt(variance[c] + eps), xhat = (x - mean[c]) * inv. ACCUMULATE adds.
// Bindings (apply_bindings.wgsl, with ACCUMULATE): p (params.wgsl), x, dy, y, dx [N,C,S];
//   mean, variance, gamma, beta, sum_dy, sum_dyx [C].
// Dispatch: one invocation per plane (N*C), WG per workgroup, 2-D grid via flat_id.

@compute @workgroup_size(WG)
fn apply(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_index) li: u32) {
  let plane = flat_id(wid, nwg, li);
  if (plane >= p.N * p.C) { return; }
  let c = plane % p.C;
  let mu = mean[c];
  let a = inverseSqrt(variance[c] + p.eps) * gamma[c];
  let b = beta[c];
  let base = plane * p.S;
  for (var s = 0u; s < p.S; s++) { y[base + s] = (x[base + s] - mu) * a + b; }
}

@compute @workgroup_size(WG)
fn bwd_dx(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
          @builtin(local_invocation_index) li: u32) {
  let plane = flat_id(wid, nwg, li);
  if (plane >= p.N * p.C) { return; }
  let c = plane % p.C;
  let m = f32(p.N * p.S);
  let mu = mean[c];
  let inv = inverseSqrt(variance[c] + p.eps);
  let k = gamma[c] * inv;
  let mdy = sum_dy[c] / m;
  let mdyx = sum_dyx[c] / m * inv;
  let base = plane * p.S;
  for (var s = 0u; s < p.S; s++) {
    let i = base + s;
    let d = k * (dy[i] - mdy - (x[i] - mu) * mdyx);
    if (ACCUMULATE) { dx[i] += d; } else { dx[i] = d; }
  }
}

// batchnorm v1 bwd_reduce (training backward): the per-channel sums the gradients need,
//   sum_dy[c] = sum_j dy (= dbeta) and sum_dyx[c] = sum_j dy * xhat (= dgamma), with
//   xhat = (x - mean) * inverseSqrt(variance + eps) from the forward's batch statistics, M = N*S.
// Bindings (sums_bindings.wgsl): p (params.wgsl), x and dy [N,C,S]; mean, variance, sum_dy,
//   sum_dyx [C].
// Dispatch: grid (C, 1, 1), one workgroup of WG invocations per channel: strided partial sums,
//   then tree_sum.wgsl.

@compute @workgroup_size(WG)
fn bwd_reduce(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let c = wid.x;
  let m = p.N * p.S;
  let mu = mean[c];
  let inv = inverseSqrt(variance[c] + p.eps);
  var a = 0.0;
  var b = 0.0;
  for (var j = li; j < m; j += WG) {
    let i = at(j, c);
    a += dy[i];
    b += dy[i] * (x[i] - mu) * inv;
  }
  let ta = tree_sum(li, a);
  let tb = tree_sum(li, b);
  if (li == 0u) {
    sum_dy[c] = ta;
    sum_dyx[c] = tb;
  }
}

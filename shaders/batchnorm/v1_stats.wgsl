// batchnorm v1 stats (training forward): per-channel batch statistics and the running update.
//   mean[c] = sum_j x / M and variance[c] = sum_j (x - mean)^2 / M (biased), M = N*S, in two
//   passes over the channel (no E[x^2] - mean^2 cancellation); then
//   running = (1 - momentum) * running + momentum * batch, the running variance with the unbiased
//   M / (M - 1) factor (PyTorch's convention; the op refuses M = 1).
// Bindings (stats_bindings.wgsl): p (params.wgsl), x [N,C,S]; mean, variance, running_mean,
//   running_var [C].
// Dispatch: grid (C, 1, 1), one workgroup of WG invocations per channel: strided partial sums,
//   then tree_sum.wgsl.

@compute @workgroup_size(WG)
fn stats(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let c = wid.x;
  let m = p.N * p.S;
  var acc = 0.0;
  for (var j = li; j < m; j += WG) { acc += x[at(j, c)]; }
  let mu = tree_sum(li, acc) / f32(m);
  var sq = 0.0;
  for (var j = li; j < m; j += WG) {
    let d = x[at(j, c)] - mu;
    sq += d * d;
  }
  let v = tree_sum(li, sq) / f32(m);
  if (li == 0u) {
    mean[c] = mu;
    variance[c] = v;
    running_mean[c] = (1.0 - p.momentum) * running_mean[c] + p.momentum * mu;
    running_var[c] = (1.0 - p.momentum) * running_var[c] + p.momentum * v * (f32(m) / f32(m - 1u));
  }
}

// batchnorm v2 stats (training forward): v1's statistics and running update, but one invocation
// per channel summing serially (no barriers): where a workgroup's tree costs more than the sums
// (a CPU adapter, where barriers are costly; channels of few values, as in BatchNorm1d). Each
// image's S values are summed before the images are added, so rounding grows with S + N, not N*S.
// Bindings (stats_bindings.wgsl): p (params.wgsl), x [N,C,S]; mean, variance, running_mean,
//   running_var [C].
// Dispatch: one invocation per channel, WG per workgroup, grid (ceil(C / WG), 1, 1).

@compute @workgroup_size(WG)
fn stats(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= p.C) { return; }
  let m = f32(p.N * p.S);
  var acc = 0.0;
  for (var n = 0u; n < p.N; n++) {
    let base = (n * p.C + c) * p.S;
    var part = 0.0;
    for (var s = 0u; s < p.S; s++) { part += x[base + s]; }
    acc += part;
  }
  let mu = acc / m;
  var sq = 0.0;
  for (var n = 0u; n < p.N; n++) {
    let base = (n * p.C + c) * p.S;
    var part = 0.0;
    for (var s = 0u; s < p.S; s++) {
      let d = x[base + s] - mu;
      part += d * d;
    }
    sq += part;
  }
  let v = sq / m;
  mean[c] = mu;
  variance[c] = v;
  running_mean[c] = (1.0 - p.momentum) * running_mean[c] + p.momentum * mu;
  running_var[c] = (1.0 - p.momentum) * running_var[c] + p.momentum * v * (m / (m - 1.0));
}

// batchnorm v2 bwd_sums (training backward): v1's bwd_reduce, one invocation per channel summing
// serially (no barriers), each image's S values before the images are added:
//   sum_dy[c] = sum_j dy (= dbeta), sum_dyx[c] = sum_j dy * xhat (= dgamma),
//   xhat = (x - mean) * inverseSqrt(variance + eps). bwd_dx (v2_planes.wgsl) then writes dx.
// Bindings (sums_bindings.wgsl): p (params.wgsl), x, dy [N,C,S]; mean, variance, sum_dy,
//   sum_dyx [C].
// Dispatch: one invocation per channel, WG per workgroup, grid (ceil(C / WG), 1, 1).

@compute @workgroup_size(WG)
fn bwd_sums(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= p.C) { return; }
  let mu = mean[c];
  let inv = inverseSqrt(variance[c] + p.eps);
  var acc = vec2f(0.0);
  for (var n = 0u; n < p.N; n++) {
    let base = (n * p.C + c) * p.S;
    var part = vec2f(0.0);
    for (var s = 0u; s < p.S; s++) {
      let g = dy[base + s];
      part += vec2f(g, g * (x[base + s] - mu) * inv);
    }
    acc += part;
  }
  sum_dy[c] = acc.x;
  sum_dyx[c] = acc.y;
}

// Shared by the batchnorm passes (included before each): x viewed as [N, C, S] (S = H*W for
// BatchNorm2d's NCHW, 1 for BatchNorm1d's [N, F]); channel c's values are x[(n*C + c)*S + s].
// momentum: the running statistics' update weight (stats only); eps: added to the variance.
struct P { N: u32, C: u32, S: u32, momentum: f32, eps: f32 }

override WG: u32;

@group(0) @binding(0) var<uniform> p: P;

/** The flat index of channel c's j-th value, j in [0, N*S). */
fn at(j: u32, c: u32) -> u32 {
  return ((j / p.S) * p.C + c) * p.S + j % p.S;
}

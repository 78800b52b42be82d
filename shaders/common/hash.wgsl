// Shared: a counter-based hash RNG (PCG output permutation), reproducible from (seed, index),
// so a random mask or augmentation can be regenerated instead of stored.
fn pcg(v: u32) -> u32 {
  let s = v * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}

fn hash01(seed: u32, i: u32) -> f32 {
  return f32(pcg(i ^ pcg(seed)) >> 8u) / 16777216.0;
}

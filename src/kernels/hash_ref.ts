// CPU twin of shaders/common/hash.wgsl, in 32-bit integer arithmetic: references regenerate the
// same dropout masks and augmentations from (seed, index) as the kernels.

function pcg(v: number): number {
  const s = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const w = Math.imul(((s >>> ((s >>> 28) + 4)) ^ s) >>> 0, 277803737) >>> 0;
  return ((w >>> 22) ^ w) >>> 0;
}

/** Uniform in [0, 1) from (seed, i), 24 bits, as the shaders compute it. */
export function hash01Ref(seed: number, i: number): number {
  return (pcg((i ^ pcg(seed >>> 0)) >>> 0) >>> 8) / 16777216;
}

// CPU twin of the dropout mask: the same counter-based hash in 32-bit integer arithmetic.

function pcg(v: number): number {
  const s = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const w = Math.imul(((s >>> ((s >>> 28) + 4)) ^ s) >>> 0, 277803737) >>> 0;
  return ((w >>> 22) ^ w) >>> 0;
}

/** Uniform in [0, 1) from (seed, i), 24 bits, as the shaders compute it. */
export function hash01Ref(seed: number, i: number): number {
  return (pcg((i ^ pcg(seed >>> 0)) >>> 0) >>> 8) / 16777216;
}

export function dropoutMaskRef(n: number, seed: number, rate: number): Float64Array {
  const mask = new Float64Array(n);
  for (let i = 0; i < n; i++) mask[i] = hash01Ref(seed, i) >= rate ? 1 / (1 - rate) : 0;
  return mask;
}

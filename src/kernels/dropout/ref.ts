// Reference for the dropout family: the mask from the CPU twin of the shaders' hash.
import { hash01Ref } from '../hash_ref.js';

export function dropoutMaskRef(n: number, seed: number, rate: number): Float64Array {
  const mask = new Float64Array(n);
  for (let i = 0; i < n; i++) mask[i] = hash01Ref(seed, i) >= rate ? 1 / (1 - rate) : 0;
  return mask;
}

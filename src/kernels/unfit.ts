// Device limits a 1-D kernel (one invocation per element or row, spread over a 2-D grid) can
// exceed, in words, for the families' `unfit`.
import type { Limits } from './family.js';

/** Too many workgroups even spread over x and y (gpu/dispatch.ts's grid). */
export function gridUnfit1d(threads: number, wg: number, limits: Limits): string | null {
  const groups = Math.ceil(threads / wg), max = limits.maxComputeWorkgroupsPerDimension;
  return groups > max * max ? `its ${groups} workgroups exceed ${max}^2` : null;
}

/** A buffer of `elems` 4-byte elements larger than one storage binding may be. */
export function bindingUnfit(what: string, elems: number, limits: Limits): string | null {
  const bytes = elems * 4, max = limits.maxStorageBufferBindingSize;
  return bytes > max ? `its ${what} of ${bytes} bytes exceeds the storage binding limit (${max})` : null;
}

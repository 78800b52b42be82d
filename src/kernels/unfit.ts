// A device limit the flat kernels' buffers can exceed, in words, for the families' `unfit`
// (the grid limit is pick.ts's flatGridUnfit).
import type { Limits } from './family.js';

/** A buffer of `elems` 4-byte elements larger than one storage binding may be. */
export function bindingUnfit(what: string, elems: number, limits: Limits): string | null {
  const bytes = elems * 4, max = limits.maxStorageBufferBindingSize;
  return bytes > max ? `its ${what} of ${bytes} bytes exceeds the storage binding limit (${max})` : null;
}

// The case names the bench sweep must report: one per family version (family.vN, its whole
// trial) that fits the size's bench shape, and one per legacy kernel that is not a helper pass.
import { FAMILIES, registry } from '../../src/kernels/registry.js';
import type { BenchSize } from '../../src/kernels/bench_cases.js';
import type { Limits } from '../../src/kernels/family.js';

export function benchCaseNames(size: BenchSize, limits?: Limits): string[] {
  const inFamily = new Set(FAMILIES.flatMap((f) => f.versions.flatMap((v) => v.kernels.map((k) => k.name))));
  const family = FAMILIES.flatMap((f) => f.versions.filter((v) => !limits || !v.unfit(f.benchShape(size), limits)).map((v) => `${f.name}.${v.name}`));
  const legacy = [...registry.values()].filter((d) => !d.partOf && !inFamily.has(d.name)).map((d) => d.name);
  return [...family, ...legacy].sort();
}

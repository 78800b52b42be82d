// How an op finds the version to run: a version asked for by name (tests, benchmarks) must fit
// or the op throws its reason at once; otherwise the context's selection policy decides. A
// single-version family has nothing to choose, so it skips the policy (and its records).
import type { GpuContext } from '../gpu/context.js';
import { versionNamed, type Family, type Limits, type Version } from './family.js';

export function withVersion<S, V extends Version<S>, R>(ctx: GpuContext, family: Family<S, V>, shape: S, version: string | undefined, run: (v: V) => Promise<R>): Promise<R> {
  if (version === undefined && family.versions.length > 1) return ctx.select.choose(ctx, family, shape).then(run);
  const v = version === undefined ? family.versions[0] : versionNamed(family, version);
  const why = v.unfit(shape, ctx.limits);
  if (why) throw new Error(`${family.name}.${v.name}: ${why}`);
  return run(v);
}

/** Why `threads` invocations in workgroups of `wg` do not fit the 2-D grid flat_id spreads them over. */
export function flatGridUnfit(threads: number, wg: number, limits: Limits): string | null {
  const max = limits.maxComputeWorkgroupsPerDimension;
  return Math.ceil(threads / wg) > max * max ? `its ${threads} invocations exceed a ${max}x${max} grid of ${wg}-wide workgroups` : null;
}

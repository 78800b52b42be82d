// The version an op runs: the one asked for by name (unfit throws its reason, at once), else the
// context's selection policy decides.
import type { GpuContext } from '../gpu/context.js';
import { versionNamed, type Family, type Version } from './family.js';

export function versionFor<S, V extends Version<S>>(ctx: GpuContext, family: Family<S, V>, shape: S, version?: string): Promise<V> {
  if (!version) return ctx.select.choose(ctx, family, shape);
  const v = versionNamed(family, version);
  const why = v.unfit(shape, ctx.limits);
  if (why) throw new Error(`${family.name}.${v.name}: ${why}`);
  return Promise.resolve(v);
}

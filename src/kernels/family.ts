// What every kernel family is: its versions (v1, the plain baseline, stays forever), what each
// version cannot take (in words), how shapes group for autotuning, and one runnable trial of a
// version at a shape that autotune, the bench sweep and selftest all time or check.
import type { GpuContext } from '../gpu/context.js';
import type { Tensor } from '../gpu/buffers.js';
import type { Dispatch } from '../gpu/dispatch.js';
import type { KernelDef } from './contract.js';

/** The device limits a version may be unfit for. */
export type Limits = Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize' | 'maxComputeWorkgroupsPerDimension' | 'maxComputeWorkgroupStorageSize' | 'maxComputeInvocationsPerWorkgroup'>;

export interface Version<S> {
  /** 'v1', 'v2', ... */
  readonly name: string;
  /** One line for `kernels` and the README. */
  readonly summary: string;
  /** The passes this version dispatches; the registry collects them. */
  readonly kernels: readonly KernelDef[];
  /** Why this version cannot take `shape` on a device with `limits`, or null when it can. */
  unfit(shape: S, limits: Limits): string | null;
}

export type Alloc = (shape: readonly number[], dtype?: 'f32' | 'u32') => Tensor;
/** Seeded inputs in [-1, 1] (scratch for trials and benchmarks). */
export type RandomAlloc = (shape: readonly number[]) => Tensor;

/** Conv: x [N,C,H,W] * w [K,C,k,k], stride 1, 'same' padding. Matmul: [M,Kd] x [Kd,Nm]. Elementwise: n. */
export interface BenchSize { N: number; C: number; H: number; W: number; K: number; k: number; M: number; Kd: number; Nm: number; n: number }

export interface Family<S, V extends Version<S> = Version<S>> {
  readonly name: string;
  /** Oldest first; versions[0] is v1. */
  readonly versions: readonly V[];
  /** Built-in preference (first fit wins) when autotune is off and nothing is cached; defaults to newest first. */
  readonly order?: readonly string[] | ((shape: S) => readonly string[]);
  /** Shapes that share one autotune decision. */
  bucket(shape: S): string;
  /** The shape in words, for tables and errors. */
  describe(shape: S): string;
  /**
   * Version v's whole work at `shape` (forward and backward where the family has both) on seeded
   * inputs, as dispatches that can be replayed: what autotune times and the bench sweep reports.
   */
  trial(ctx: GpuContext, v: V, shape: S, scratch: { rand: RandomAlloc; out: Alloc }): Promise<Dispatch[]>;
  /** The shape the bench sweep uses at a size class. */
  benchShape(size: BenchSize): S;
  /** More shapes the sweep runs the versions that fit them at (a fused variant), each labelled for its case name. */
  benchVariants?(size: BenchSize): Array<{ label: string; shape: S }>;
}

/** Any family, for lists that mix them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFamily = Family<any, Version<any>>;

export function versionNamed<S, V extends Version<S>>(f: Family<S, V>, name: string): V {
  const v = f.versions.find((x) => x.name === name);
  if (!v) throw new Error(`${f.name} has no version '${name}' (versions: ${f.versions.map((x) => x.name).join(', ')})`);
  return v;
}

/** Versions in built-in preference order for `shape`. */
export function preferenceOrder<S, V extends Version<S>>(f: Family<S, V>, shape: S): V[] {
  const order = typeof f.order === 'function' ? f.order(shape) : f.order;
  const listed = (order ?? []).map((n) => versionNamed(f, n));
  // A version the order does not name yet still runs (autotune times it), after the listed ones.
  return [...listed, ...[...f.versions].reverse().filter((v) => !listed.includes(v))];
}

/** Rounds a size up to a power of two: shapes in one bucket behave alike for a kernel's choice. */
export const pow2 = (n: number) => (n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n)));

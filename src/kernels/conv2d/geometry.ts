// conv2d shapes: x [N,C,H,W] * w [K,C,KH,KW] with stride and padding gives y [N,K,OH,OW]. The
// geometry is the family's shape (what versions are chosen and planned for) and fills the one
// parameter block every conv2d pass reads (shaders/conv2d/params.wgsl).
import type { Limits } from '../family.js';
import { pair, positiveInt, type Pair, type Shape } from '../shapes.js';

export interface Conv2dArgs {
  stride?: Pair;
  padding?: Pair;
  /** y = max(conv(x, w) + b, 0): the layer's ReLU, fused where the version can. */
  relu?: boolean;
}

export interface Conv2dGeom {
  N: number; C: number; H: number; W: number;
  K: number; KH: number; KW: number; OH: number; OW: number;
  SH: number; SW: number; PH: number; PW: number;
  /** An evaluation graph's layer: only the forward runs, so only the forward is timed. */
  forwardOnly?: boolean;
  /** The layer ends in a ReLU (Conv2dArgs.relu); the backward takes the ReLU output's gradient. */
  relu?: boolean;
}

export function conv2dGeom(xShape: Shape, wShape: Shape, args: Conv2dArgs = {}): Conv2dGeom {
  if (xShape.length !== 4) throw new Error(`conv2d: input must be NCHW, got [${xShape.join(', ')}]`);
  if (wShape.length !== 4) throw new Error(`conv2d: weight must be [K, C, KH, KW], got [${wShape.join(', ')}]`);
  const [N, C, H, W] = xShape;
  const [K, WC, KH, KW] = wShape;
  if (WC !== C) throw new Error(`conv2d: weight has ${WC} input channels, input has ${C}`);
  const [SH, SW] = pair(args.stride ?? 1);
  const [PH, PW] = pair(args.padding ?? 0);
  positiveInt('conv2d stride', SH); positiveInt('conv2d stride', SW);
  positiveInt('conv2d padding', PH, 0); positiveInt('conv2d padding', PW, 0);
  const OH = Math.floor((H + 2 * PH - KH) / SH) + 1;
  const OW = Math.floor((W + 2 * PW - KW) / SW) + 1;
  if (OH < 1 || OW < 1) throw new Error(`conv2d: kernel ${KH}x${KW} does not fit input ${H}x${W} with padding ${PH},${PW}`);
  if (args.relu !== undefined && typeof args.relu !== 'boolean') throw new Error(`conv2d: relu must be true or false, got ${String(args.relu)}`);
  return { N, C, H, W, K, KH, KW, OH, OW, SH, SW, PH, PW, ...(args.relu ? { relu: true } : {}) };
}

export const xShape = (g: Conv2dGeom) => [g.N, g.C, g.H, g.W];
export const wShape = (g: Conv2dGeom) => [g.K, g.C, g.KH, g.KW];
export const yShape = (g: Conv2dGeom) => [g.N, g.K, g.OH, g.OW];
export const macs = (g: Conv2dGeom) => g.N * g.K * g.OH * g.OW * g.C * g.KH * g.KW;

/** The fields of shaders/conv2d/params.wgsl, in order. */
export const CONV_UNIFORMS = ['N', 'C', 'H', 'W', 'K', 'KH', 'KW', 'OH', 'OW', 'SH', 'SW', 'PH', 'PW', 'S', 'NCH', 'CKK', 'KP', 'NP', 'KOP', 'Z'] as const;
export type ConvExtra = Partial<Record<'S' | 'NCH' | 'CKK' | 'KP' | 'NP' | 'KOP' | 'Z', number>>;

/** The parameter block for geometry g; the version-specific fields a pass does not read are 0. */
export function convUniforms(g: Conv2dGeom, extra: ConvExtra = {}): Record<string, number> {
  const u: Record<string, number> = {};
  for (const k of CONV_UNIFORMS) u[k] = (g as unknown as Record<string, number>)[k] ?? extra[k as keyof ConvExtra] ?? 0;
  return u;
}

/** Why a 1-D pass of `threads` invocations (WG-wide workgroups over a 2-D grid) cannot run, or null. */
export function flatGridUnfit(pass: string, threads: number, wg: number, limits: Limits): string | null {
  const max = limits.maxComputeWorkgroupsPerDimension;
  const groups = Math.ceil(threads / wg);
  return groups > max * max ? `its ${pass} pass needs ${groups} workgroups, over the ${max} x ${max} grid` : null;
}

/** Why a scratch buffer of `shape` cannot be bound on the device, or null. */
export function scratchUnfit(name: string, shape: Shape, limits: Limits): string | null {
  const max = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const bytes = shape.reduce((a, b) => a * b, 4);
  return bytes > max ? `its ${name} scratch [${shape.join(', ')}] needs ${bytes} bytes, over the device's ${max}` : null;
}

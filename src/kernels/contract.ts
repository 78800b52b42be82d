// A kernel's contract, declared once: its uniform fields and bindings by name, its workgroup
// size (given to the shader as override constants, never a number the WGSL must repeat) and
// the shared WGSL helpers it includes. The contract is checked against the WGSL itself
// (uniform struct, binding names and access, workgroup overrides) before the pipeline is built,
// so a mismatch fails with the kernel's name instead of binding the wrong buffer.
import type { GpuContext } from '../gpu/context.js';
import { binding, numel, type Tensor } from '../gpu/buffers.js';
import { grid as gridFor, type Dispatch } from '../gpu/dispatch.js';

export type Access = 'read' | 'read_write';

export interface KernelContract {
  /** Registry name: family.pass.vN or family.vN; keys the pipeline cache, profiler and bench. */
  name: string;
  /** Shader path under shaders/, for messages. */
  file: string;
  source: string;
  /** Shared helper sources (shaders/common/*.wgsl) prepended before compiling. */
  include?: readonly string[];
  entry: string;
  /** The uniform struct's fields in order, without the `_` padding fields. */
  uniforms: readonly string[];
  bindings: Readonly<Record<string, Access>>;
  /** Invocations per workgroup: override WG for 1-D kernels, WG_X and WG_Y for 2-D ones. */
  workgroup: number | readonly [number, number];
  /** Defaults for the shader's other override constants. */
  constants?: Readonly<Record<string, number>>;
  /** For a helper pass of a multi-dispatch op: the op it belongs to. */
  partOf?: string;
}

/** The registry's view of a contract: name parts, compiled code, default constants. */
export interface KernelDef extends KernelContract {
  family: string;
  op: string;
  version: number;
  code: string;
  /** Invocations along x per workgroup (the 1-D grid divisor). */
  wg: number;
}

const NAME = /^([a-z0-9_]+)\.(?:([a-z0-9_.]+)\.)?v(\d+)$/;

export function kernelDef(c: KernelContract): KernelDef {
  const m = NAME.exec(c.name);
  if (!m) throw new Error(`bad kernel name ${c.name}`);
  const wg = typeof c.workgroup === 'number' ? c.workgroup : c.workgroup[0];
  return { ...c, family: m[1], op: m[2] ?? m[1], version: Number(m[3]), code: [...(c.include ?? []), c.source].join('\n'), wg };
}

/** Override constants that carry the workgroup size. */
export function workgroupConstants(w: number | readonly [number, number]): Record<string, number> {
  return typeof w === 'number' ? { WG: w } : { WG_X: w[0], WG_Y: w[1] };
}

interface Reflection { uniform: Array<{ name: string; type: string }>; vars: Map<string, { binding: number; access: Access | 'uniform' }>; overrides: Set<string> }
const reflections = new Map<string, Reflection>();

/** Reads the uniform struct, binding declarations and override names from WGSL source. */
export function reflect(code: string): Reflection {
  let r = reflections.get(code);
  if (r) return r;
  const src = code.replace(/\/\/.*$/gm, '');
  const structs = new Map<string, Array<{ name: string; type: string }>>();
  for (const m of src.matchAll(/struct\s+(\w+)\s*\{([^}]*)\}/g)) {
    structs.set(m[1], m[2].split(',').map((f) => f.trim()).filter(Boolean).map((f) => {
      const [name, type] = f.split(':').map((s) => s.trim());
      return { name, type };
    }));
  }
  const vars = new Map<string, { binding: number; access: Access | 'uniform' }>();
  let uniform: Array<{ name: string; type: string }> = [];
  for (const m of src.matchAll(/@binding\((\d+)\)\s*var<([^>]+)>\s*(\w+)\s*:\s*(\w+)/g)) {
    const kind = m[2].split(',').map((s) => s.trim());
    if (kind[0] === 'uniform') {
      uniform = structs.get(m[4]) ?? [];
      vars.set(m[3], { binding: Number(m[1]), access: 'uniform' });
    } else vars.set(m[3], { binding: Number(m[1]), access: (kind[1] ?? 'read') as Access });
  }
  const overrides = new Set([...src.matchAll(/override\s+(\w+)/g)].map((m) => m[1]));
  r = { uniform, vars, overrides };
  reflections.set(code, r);
  return r;
}

/** Null when the contract matches its WGSL, else what differs. */
export function contractMismatch(def: KernelDef): string | null {
  const r = reflect(def.code);
  const fields = r.uniform.map((f) => f.name).filter((n) => !n.startsWith('_'));
  if (fields.join(',') !== def.uniforms.join(',')) return `uniform fields [${def.uniforms.join(', ')}] but the WGSL struct has [${fields.join(', ')}]`;
  if (r.uniform.some((f) => !['u32', 'i32', 'f32'].includes(f.type))) return 'uniform fields must be u32, i32 or f32';
  for (const [name, access] of Object.entries(def.bindings)) {
    const v = r.vars.get(name);
    if (!v) return `binding '${name}' is not declared in ${def.file}`;
    if (v.access !== access) return `binding '${name}' is ${access} in the contract but ${v.access} in ${def.file}`;
  }
  for (const k of Object.keys(workgroupConstants(def.workgroup))) if (!r.overrides.has(k)) return `${def.file} has no 'override ${k}' for the workgroup size`;
  for (const k of Object.keys(def.constants ?? {})) if (!r.overrides.has(k)) return `constant ${k} is not an override in ${def.file}`;
  return null;
}

export interface KernelCall {
  /** Every contract uniform by name (f32 fields take any number, u32 fields integers). */
  uniforms: Record<string, number>;
  /** Every contract binding by name. */
  bind: Record<string, Tensor>;
  /** Invocations of a 1-D kernel (the grid follows), or an explicit workgroup grid. */
  threads?: number;
  grid?: [number, number, number];
  constants?: Record<string, number>;
  /** Replaces the contract's workgroup size for this dispatch (still an override constant). */
  workgroup?: number | readonly [number, number];
  flops?: number;
  bytes?: number;
}

/** A recorded dispatch whose uniform fields can be rewritten by name between submits. */
export interface KernelDispatch extends Dispatch {
  uniform: GPUBuffer;
  set(field: string, value: number): void;
}

/** Packs named uniform values in the struct's order and types, padded to 16 bytes. */
export function packUniforms(def: KernelDef, values: Record<string, number>): ArrayBuffer {
  const fields = reflect(def.code).uniform;
  const buf = new ArrayBuffer(Math.max(16, Math.ceil(fields.length / 4) * 16));
  const view = new DataView(buf);
  for (const k of Object.keys(values)) if (!def.uniforms.includes(k)) throw new Error(`${def.name}: unknown uniform '${k}' (fields: ${def.uniforms.join(', ')})`);
  fields.forEach((f, i) => {
    const v = f.name.startsWith('_') ? 0 : values[f.name];
    if (v === undefined) throw new Error(`${def.name}: uniform '${f.name}' not given`);
    writeField(def, view, i * 4, f, v);
  });
  return buf;
}

function writeField(def: KernelDef, view: DataView, at: number, f: { name: string; type: string }, v: number): void {
  if (f.type === 'f32') { view.setFloat32(at, v, true); return; }
  const lo = f.type === 'i32' ? -0x80000000 : 0, hi = f.type === 'i32' ? 0x7fffffff : 0xffffffff;
  if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${def.name}: uniform '${f.name}' = ${v} is not a ${f.type}`);
  if (f.type === 'i32') view.setInt32(at, v, true); else view.setUint32(at, v, true);
}

/** Builds one dispatch of a kernel from named uniforms and bindings. */
export async function dispatchKernel(ctx: GpuContext, def: KernelDef, call: KernelCall): Promise<KernelDispatch> {
  for (const k of Object.keys(def.bindings)) if (!call.bind[k]) throw new Error(`${def.name}: binding '${k}' not given`);
  for (const k of Object.keys(call.bind)) if (!(k in def.bindings)) throw new Error(`${def.name}: unknown binding '${k}' (bindings: ${Object.keys(def.bindings).join(', ')})`);
  const data = packUniforms(def, call.uniforms);
  const wg = call.workgroup ?? def.workgroup;
  const pipeline = await ctx.pipelines.get(def, { ...(call.workgroup ? workgroupConstants(call.workgroup) : {}), ...call.constants });
  const uniform = ctx.device.createBuffer({ size: data.byteLength, usage: 0x40 /* UNIFORM */ | 0x8 /* COPY_DST */, label: `${def.name}.params` });
  ctx.queue.writeBuffer(uniform, 0, data);
  const vars = reflect(def.code).vars;
  const uniformBinding = [...vars.values()].find((v) => v.access === 'uniform')?.binding ?? 0;
  const entries: GPUBindGroupEntry[] = [{ binding: uniformBinding, resource: { buffer: uniform } }];
  for (const [k, t] of Object.entries(call.bind)) entries.push({ binding: vars.get(k)!.binding, resource: binding(t) });
  const bindGroup = ctx.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries, label: def.name });
  const x = typeof wg === 'number' ? wg : wg[0];
  const g = call.grid ?? gridFor(Math.ceil((call.threads ?? 0) / x), ctx.limits.maxComputeWorkgroupsPerDimension);
  const bytes = call.bytes ?? Object.values(call.bind).reduce((s, t) => s + numel(t.shape) * 4, 0);
  const fields = reflect(def.code).uniform;
  return {
    kernel: def.name, pipeline, bindGroup, boundsGroup: ctx.bounds?.bindGroup(def, pipeline), grid: g, flops: call.flops ?? 0, bytes, uniform,
    set(field, value) {
      const i = fields.findIndex((f) => f.name === field);
      if (i < 0 || field.startsWith('_')) throw new Error(`${def.name}: unknown uniform '${field}'`);
      const one = new DataView(new ArrayBuffer(4));
      writeField(def, one, 0, fields[i], value);
      ctx.queue.writeBuffer(uniform, i * 4, one.buffer);
    },
  };
}

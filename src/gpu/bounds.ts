// Bounds instrumentation, a diagnostic for tests: a context made with { checkBounds: true }
// compiles every kernel from a rewritten copy of its WGSL in which each index into a storage
// array goes through a check against arrayLength. A violation adds 1 to the kernel's counter for
// that binding (a storage buffer at @group(1), so group 0 stays the kernel's own) and the access
// goes to element 0 instead, so the instrumented kernel itself stays in bounds. The engine's own
// kernels are never rewritten; without the option nothing here runs.
import type { KernelDef } from '../kernels/contract.js';

const GROUP = 1;

/** The rewritten WGSL and the storage bindings it checks (the counter slot of each). */
export interface Instrumented { code: string; checked: readonly string[] }

/** One counted violation: kernel, binding and how many accesses fell outside it. */
export interface BoundsViolation { kernel: string; binding: string; count: number }

const stripComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

/** Names declared again inside functions (let/var/const or a parameter) would be checked against the wrong array. */
function shadowed(code: string, names: readonly string[]): string | undefined {
  const locals = new Set([...code.matchAll(/\b(?:let|var|const)\s+(\w+)/g)].map((m) => m[1]));
  for (const m of code.matchAll(/\bfn\s+\w+\s*\(((?:[^()]|\([^()]*\))*)\)/g)) {
    for (const param of m[1].replace(/@\w+(\([^)]*\))?/g, '').split(',')) {
      const name = /^\s*(\w+)\s*:/.exec(param)?.[1];
      if (name) locals.add(name);
    }
  }
  return names.find((n) => locals.has(n));
}

/** Index of the `]` closing the `[` at `open`. */
function closing(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '[') depth++;
    else if (code[i] === ']' && --depth === 0) return i;
  }
  throw new Error(`unbalanced '[' at offset ${open}`);
}

/** Wraps every `name[index]` of a checked array (nested ones too) as `name[_bounds_name(u32(index))]`. */
function rewrite(code: string, names: ReadonlySet<string>, used: Set<string>): string {
  const access = /(^|[^\w.])(\w+)\s*\[/g;
  let out = '', at = 0;
  for (let m = access.exec(code); m; m = access.exec(code)) {
    if (!names.has(m[2])) continue;
    const open = m.index + m[0].length - 1, close = closing(code, open);
    const inner = rewrite(code.slice(open + 1, close), names, used);
    used.add(m[2]);
    out += `${code.slice(at, m.index + m[1].length)}${m[2]}[_bounds_${m[2]}(u32(${inner}))]`;
    at = close + 1;
    access.lastIndex = at;
  }
  return out + code.slice(at);
}

/** The instrumented WGSL of a kernel's source; throws where the rewrite cannot be trusted. */
export function instrumentBounds(source: string, file = 'wgsl'): Instrumented {
  const code = stripComments(source);
  const arrays = [...code.matchAll(/var\s*<\s*storage[^>]*>\s*(\w+)\s*:\s*array\s*</g)].map((m) => m[1]);
  const clash = shadowed(code, arrays);
  if (clash) throw new Error(`${file}: cannot check bounds: '${clash}' names a storage array and is declared again inside a function`);
  // An access through a pointer would go unchecked.
  const aliased = [...code.matchAll(/&\s*(\w+)/g)].map((m) => m[1]).find((n) => arrays.includes(n));
  if (aliased) throw new Error(`${file}: cannot check bounds: a pointer to storage array '${aliased}' would hide its accesses`);
  const used = new Set<string>();
  const body = rewrite(code, new Set(arrays), used);
  const checked = arrays.filter((n) => used.has(n));
  if (!checked.length) return { code: body, checked };
  const helpers = checked.map((n, slot) => `fn _bounds_${n}(_i: u32) -> u32 {
  let _n = arrayLength(&${n});
  if (_i >= _n) { atomicAdd(&_bounds[${slot}], 1u); }
  return select(0u, _i, _i < _n);
}`);
  return { code: [body, `@group(${GROUP}) @binding(0) var<storage, read_write> _bounds: array<atomic<u32>>;`, ...helpers].join('\n'), checked };
}

/**
 * The per-context side: instrumented code for the pipeline cache, a zeroed counter buffer per
 * kernel, bound at group 1 of each of its dispatches, and read-and-reset of every counter.
 */
export class BoundsCheck {
  private rewritten = new Map<string, Instrumented>();
  private counters = new Map<string, { buffer: GPUBuffer; checked: readonly string[] }>();

  /** Made before the context counts buffers, so the counters never show in its memory figures. */
  private createBuffer: GPUDevice['createBuffer'];

  constructor(private device: GPUDevice) {
    this.createBuffer = device.createBuffer.bind(device);
  }

  instrument(def: KernelDef): Instrumented {
    let r = this.rewritten.get(def.code);
    if (!r) this.rewritten.set(def.code, (r = instrumentBounds(def.code, def.file)));
    return r;
  }

  /** The group-1 bind group of a dispatch of `def` on `pipeline`, or null when it indexes no storage array. */
  bindGroup(def: KernelDef, pipeline: GPUComputePipeline): GPUBindGroup | null {
    const { checked } = this.instrument(def);
    if (!checked.length) return null;
    let c = this.counters.get(def.name);
    if (!c) {
      const size = Math.ceil(checked.length / 4) * 16;
      c = { buffer: this.createBuffer({ size, usage: 0x80 /* STORAGE */ | 0x4 /* COPY_SRC */ | 0x8 /* COPY_DST */, label: `${def.name}.bounds` }), checked };
      this.counters.set(def.name, c);
    }
    return this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(GROUP), entries: [{ binding: 0, resource: { buffer: c.buffer } }], label: `${def.name}.bounds` });
  }

  /** Every non-zero counter since the last read (after the queue's work so far), then all zeroed. */
  async read(): Promise<BoundsViolation[]> {
    const list = [...this.counters.entries()];
    if (!list.length) return [];
    const offsets: number[] = [];
    let size = 0;
    for (const [, c] of list) { offsets.push(size); size += c.buffer.size; }
    const staging = this.createBuffer({ size, usage: 0x1 /* MAP_READ */ | 0x8 /* COPY_DST */ });
    const enc = this.device.createCommandEncoder();
    list.forEach(([, c], i) => { enc.copyBufferToBuffer(c.buffer, 0, staging, offsets[i], c.buffer.size); enc.clearBuffer(c.buffer); });
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(0x1 /* READ */);
    const counts = new Uint32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    const out: BoundsViolation[] = [];
    list.forEach(([kernel, c], i) => c.checked.forEach((binding, slot) => {
      const count = counts[offsets[i] / 4 + slot];
      if (count) out.push({ kernel, binding, count });
    }));
    return out;
  }

  destroy(): void {
    for (const c of this.counters.values()) c.buffer.destroy();
    this.counters.clear();
  }
}

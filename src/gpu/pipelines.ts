import { contractMismatch, workgroupConstants, type KernelDef } from '../kernels/contract.js';
import type { BoundsCheck } from './bounds.js';

export type Constants = Record<string, number>;

/** Compiled pipelines keyed by registry name plus override constants. */
export class PipelineCache {
  private modules = new Map<string, GPUShaderModule>();
  private pipelines = new Map<string, Promise<GPUComputePipeline>>();

  /** With `bounds`, every kernel compiles from its bounds-checked WGSL (a diagnostic context). */
  constructor(private device: GPUDevice, private bounds: BoundsCheck | null = null) {}

  static key(def: KernelDef, constants: Constants): string {
    const c = Object.keys(constants).sort().map((k) => `${k}=${constants[k]}`).join(',');
    return c ? `${def.name}{${c}}` : def.name;
  }

  private module(def: KernelDef): GPUShaderModule {
    let m = this.modules.get(def.code);
    if (!m) {
      const code = this.bounds ? this.bounds.instrument(def).code : def.code;
      m = this.device.createShaderModule({ code, label: def.file });
      this.modules.set(def.code, m);
    }
    return m;
  }

  get(def: KernelDef, constants: Constants = {}): Promise<GPUComputePipeline> {
    // The workgroup size always travels as override constants (the WGSL declares no default).
    const all = { ...def.constants, ...workgroupConstants(def.workgroup), ...constants };
    const key = PipelineCache.key(def, all);
    let p = this.pipelines.get(key);
    if (!p) {
      const mismatch = contractMismatch(def);
      if (mismatch) return Promise.reject(new Error(`kernel ${def.name}: its contract does not match its WGSL: ${mismatch}`));
      // Synchronous creation inside an error scope: dawn.node's createComputePipelineAsync
      // crashed the process (corrupt mutex in Instance::ProcessEvents) on SwiftShader.
      this.device.pushErrorScope('validation');
      const pipeline = this.device.createComputePipeline({
        label: key,
        layout: 'auto',
        compute: { module: this.module(def), entryPoint: def.entry, constants: all },
      });
      p = this.device.popErrorScope().then(async (err) => {
        if (!err) return pipeline;
        this.pipelines.delete(key);
        const info = await this.module(def).getCompilationInfo();
        const msgs = info.messages.filter((m) => m.type === 'error').map((m) => `${def.file}:${m.lineNum}:${m.linePos}: ${m.message}`);
        throw new Error(`kernel ${key} failed to compile: ${msgs.length ? msgs.join('; ') : err.message}`);
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  get size(): number {
    return this.pipelines.size;
  }
}

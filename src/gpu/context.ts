import { PipelineCache } from './pipelines.js';
import { BoundsCheck } from './bounds.js';
import { BufferPool } from './buffers.js';
import { Profiler } from './profiler.js';
import { SelectionPolicy } from '../kernels/select.js';
import { kernelsHash } from '../kernels/registry.js';
import { ENGINE_VERSION } from '../version.js';

/** What we report about the adapter in use (browsers may leave fields blank). */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** How the adapter was found: a GPU, or the SwiftShader fallback we switched to. */
  source: 'native' | 'swiftshader-fallback' | 'browser';
  /** The adapter says it is a fallback (software) one: GPUAdapterInfo.isFallbackAdapter, where offered. */
  fallback?: boolean;
  /** Whether Dawn clamps storage accesses (Node sets it; a browser keeps its own setting). */
  robustness?: boolean;
}

export interface ContextOptions {
  /** Create a timestamp-query profiler when the adapter supports it. */
  profile?: boolean;
  /** Called once if the device is lost for any reason other than destroy(). */
  onLost?: (message: string) => void;
  source?: AdapterDescription['source'];
  /** What the caller asked Dawn for (gpu/node.ts); shown by describe() when on. */
  robustness?: boolean;
  /** Objects the device depends on that must not be garbage-collected (Dawn instances, adapter). */
  retain?: unknown[];
  /** Which kernel version runs where (forced, autotuned and cached, or built-in); default: autotune, cached in memory. */
  selection?: SelectionPolicy;
  /** A diagnostic for tests: every kernel compiles with each storage index checked and violations counted (gpu/bounds.ts). */
  checkBounds?: boolean;
}

/**
 * Everything a kernel needs: device, queue, pipeline cache, buffer pool and an optional profiler.
 * One is created per device and passed explicitly; nothing here is global.
 */
export class GpuContext {
  readonly pipelines: PipelineCache;
  readonly pool: BufferPool;
  readonly profiler: Profiler | null;
  readonly select: SelectionPolicy;
  /** Violation counters when made with checkBounds, else null. */
  readonly bounds: BoundsCheck | null;
  readonly hasTimestamps: boolean;
  /** Resolves with a message when the device is lost (never on a deliberate destroy()). */
  readonly lost: Promise<string>;
  private destroyed = false;
  /** Every buffer made on this device: live count and bytes, and how many were ever created. */
  readonly memory = { liveBuffers: 0, liveBytes: 0, created: 0 };
  /** Held, never read: dawn.node frees a GPU instance when its wrapper is collected, even while its device is in use. */
  readonly retained: readonly unknown[];

  constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterDescription,
    opts: ContextOptions = {},
  ) {
    this.retained = opts.retain ?? [];
    this.bounds = opts.checkBounds ? new BoundsCheck(device) : null;
    this.countBuffers(device);
    this.hasTimestamps = device.features.has('timestamp-query');
    this.pipelines = new PipelineCache(device, this.bounds);
    this.pool = new BufferPool(device);
    this.profiler = opts.profile && this.hasTimestamps ? new Profiler(device) : null;
    this.select = opts.selection ?? new SelectionPolicy();
    this.select.bindTo(this.autotuneKey);
    this.lost = device.lost.then((info) => {
      const msg = `WebGPU device lost (${info.reason}): ${info.message || 'no details'}`;
      if (!this.destroyed) (opts.onLost ?? ((m: string) => console.error(m)))(msg);
      return msg;
    });
    device.addEventListener('uncapturederror', (ev) => {
      const err = (ev as GPUUncapturedErrorEvent).error;
      console.error(`WebGPU error: ${err.message}`);
    });
  }

  /** Wraps createBuffer/destroy so benchmarks can show memory is flat and steady state allocates nothing. */
  private countBuffers(device: GPUDevice): void {
    const create = device.createBuffer.bind(device);
    const m = this.memory;
    device.createBuffer = (d: GPUBufferDescriptor) => {
      const b = create(d);
      m.created++; m.liveBuffers++; m.liveBytes += d.size;
      const destroy = b.destroy.bind(b);
      let gone = false;
      b.destroy = () => {
        if (!gone) { gone = true; m.liveBuffers--; m.liveBytes -= d.size; }
        destroy();
      };
      return b;
    };
  }

  get queue(): GPUQueue {
    return this.device.queue;
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  describe(): string {
    const a = this.adapter;
    const parts = [a.vendor, a.architecture, a.device, a.description].filter((s) => s && s.length);
    return `${parts.join(' / ') || 'unknown adapter'} [${a.source}]${a.robustness ? ', robustness on' : ''}`;
  }

  /** A CPU implementation (SwiftShader, llvmpipe, WARP): training is hours where a GPU takes minutes. */
  get isCpu(): boolean {
    return isCpuAdapter(this.adapter);
  }

  /** Autotune results hold for this adapter and this build of the kernels only. */
  get autotuneKey(): string {
    // The adapter itself, not how it was found ([native] or [swiftshader-fallback]).
    const a = this.adapter;
    // Robustness changes kernel times, so its choices are kept apart.
    return `${[a.vendor, a.architecture, a.device, a.description].join(' / ')} | webgpu-cnn ${ENGINE_VERSION} | kernels ${kernelsHash()}${a.robustness ? ' | robustness' : ''}`;
  }

  destroy(): void {
    this.destroyed = true;
    this.profiler?.destroy();
    this.bounds?.destroy();
    this.pool.destroy();
    this.device.destroy();
  }
}

/** Whether an adapter is a CPU implementation: the fallback we switched to, one that says so, or a known software name. */
export function isCpuAdapter(a: AdapterDescription): boolean {
  return a.source === 'swiftshader-fallback' || a.fallback === true || /swiftshader|llvmpipe|lavapipe|warp|\bcpu\b/i.test([a.vendor, a.architecture, a.device, a.description].join(' '));
}

export function describeAdapter(adapter: GPUAdapter, source: AdapterDescription['source'], robustness?: boolean): AdapterDescription {
  const i = adapter.info;
  return {
    vendor: i?.vendor ?? '',
    architecture: i?.architecture ?? '',
    device: i?.device ?? '',
    description: i?.description ?? '',
    source,
    ...(i?.isFallbackAdapter === undefined ? {} : { fallback: i.isFallbackAdapter }),
    ...(robustness === undefined ? {} : { robustness }),
  };
}

/** Requests a device with the limits the kernels benefit from and timestamp-query when offered. */
export async function createContextFromAdapter(adapter: GPUAdapter, opts: ContextOptions = {}): Promise<GpuContext> {
  const features: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) features.push('timestamp-query');
  const a = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits: {
      maxStorageBuffersPerShaderStage: a.maxStorageBuffersPerShaderStage,
      maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
      maxBufferSize: a.maxBufferSize,
      maxComputeWorkgroupStorageSize: a.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: a.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: a.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: a.maxComputeWorkgroupSizeY,
    },
  });
  return new GpuContext(device, describeAdapter(adapter, opts.source ?? 'native', opts.robustness), opts);
}

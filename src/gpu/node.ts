import { existsSync } from 'node:fs';
import { createContextFromAdapter, type ContextOptions, type GpuContext } from './context.js';

/** Vulkan ICDs for SwiftShader, a CPU implementation of Vulkan that Dawn accepts. */
const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];
const VULKAN_LOADERS = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'];

export class NoAdapterError extends Error {}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

async function loadDawn(): Promise<DawnModule> {
  try {
    return (await import('webgpu')) as unknown as DawnModule;
  } catch (e) {
    throw new NoAdapterError(`cannot load the 'webgpu' package (Dawn for Node): ${(e as Error).message.split('\n')[0]}; run 'npm install'`);
  }
}


export function swiftShaderIcd(env: NodeJS.ProcessEnv = process.env): string | null {
  const own = env.WEBGPU_CNN_SWIFTSHADER_ICD;
  if (own) return existsSync(own) ? own : null;
  return SWIFTSHADER_ICDS.find((p) => existsSync(p)) ?? null;
}

function installHint(): string {
  const loader = VULKAN_LOADERS.some((p) => existsSync(p));
  const need = [loader ? null : 'libvulkan1', swiftShaderIcd() ? null : 'chromium (ships SwiftShader)'].filter(Boolean);
  const what = need.length ? `install ${need.join(' and ')} (Debian/Ubuntu: apt-get install -y libvulkan1 chromium)` : 'check the GPU driver, or point VK_ICD_FILENAMES at a Vulkan ICD json';
  return `no WebGPU adapter found (no GPU adapter, and the SwiftShader fallback failed): ${what}`;
}

/**
 * Finds an adapter in Node. A real GPU first; if none comes back and the user has not chosen a
 * Vulkan driver, retry with Vulkan pointed at SwiftShader so machines without a GPU still work.
 */
export async function requestNodeAdapter(): Promise<{ adapter: GPUAdapter; source: 'native' | 'swiftshader-fallback'; instances: GPU[] }> {
  const dawn = await loadDawn();
  Object.assign(globalThis, dawn.globals);
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const force = process.env.WEBGPU_CNN_ADAPTER === 'swiftshader';
  // Every instance made here must stay referenced by whoever uses the device (the GpuContext):
  // a collected instance, even the one that found no adapter, takes down state the device needs.
  const instances: GPU[] = [];
  if (!force) {
    const gpu = dawn.create([]);
    instances.push(gpu);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter) return { adapter, source: 'native', instances };
  }
  const icd = swiftShaderIcd();
  // A driver list the user chose is respected: only an unset one is pointed at SwiftShader.
  if (icd && (force || !(process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES))) {
    process.env.VK_ICD_FILENAMES = icd;
    process.env.VK_DRIVER_FILES = icd;
    const gpu = dawn.create([]);
    instances.push(gpu);
    const adapter = await gpu.requestAdapter();
    if (adapter) return { adapter, source: 'swiftshader-fallback', instances };
  }
  throw new NoAdapterError(installHint());
}

export async function createNodeContext(opts: ContextOptions = {}): Promise<GpuContext> {
  const { adapter, source, instances } = await requestNodeAdapter();
  return createContextFromAdapter(adapter, { ...opts, source, retain: [...instances, adapter] });
}

import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createContextFromAdapter, type ContextOptions, type GpuContext } from './context.js';

/** Vulkan ICDs for SwiftShader, a CPU implementation of Vulkan that Dawn accepts. */
const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];
const VULKAN_LOADERS = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'];
const INSTALL = 'Debian/Ubuntu: apt-get install -y libvulkan1 chromium';

/**
 * Dawn instance toggles. Timestamps are quantised to 65.536 µs by default, which makes every
 * per-kernel time and autotune comparison a multiple of that; the profiler needs the true ones.
 * Robustness (Dawn clamping every storage access to its binding) is off unless asked for: every
 * kernel guards its own indices, which test/gpu/bounds.test.ts checks access by access, and the
 * clamping cost 1.7x per LeNet step on SwiftShader.
 */
export function dawnFlags(robustness: boolean): string[] {
  return ['disable-dawn-features=timestamp_quantization', ...(robustness ? [] : ['enable-dawn-features=disable_robustness'])];
}

export interface NodeContextOptions extends ContextOptions {
  /** Dawn's robustness transform (clamped storage accesses); default off. */
  robustness?: boolean;
}

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

/** The driver manifests the Vulkan loader would find by itself (its search path, Linux). */
export function installedVulkanDrivers(env: NodeJS.ProcessEnv = process.env): string[] {
  const split = (v: string | undefined, d: string) => (v || d).split(':').filter(Boolean);
  const dirs = [
    ...split(env.XDG_CONFIG_DIRS, '/etc/xdg').map((d) => join(d, 'vulkan/icd.d')), '/etc/vulkan/icd.d',
    join(env.XDG_DATA_HOME || join(homedir(), '.local/share'), 'vulkan/icd.d'),
    ...split(env.XDG_DATA_DIRS, '/usr/local/share:/usr/share').map((d) => join(d, 'vulkan/icd.d')),
  ];
  const found = split(env.VK_ADD_DRIVER_FILES, '').filter((f) => existsSync(f));
  for (const d of dirs) {
    try { found.push(...readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => join(d, f))); } catch { /* not there */ }
  }
  return found;
}

/**
 * Finds an adapter in Node. A real GPU first; if none comes back and the user has not chosen a
 * Vulkan driver, retry with Vulkan pointed at SwiftShader so machines without a GPU still work.
 * The native attempt is skipped when no Vulkan driver is installed: the loader would only print
 * warnings. A failure says what was tried.
 */
export async function requestNodeAdapter(env: NodeJS.ProcessEnv = process.env, robustness = false): Promise<{ adapter: GPUAdapter; source: 'native' | 'swiftshader-fallback'; instances: GPU[] }> {
  const dawn = await loadDawn();
  Object.assign(globalThis, dawn.globals);
  env.XDG_RUNTIME_DIR ??= '/tmp';
  const force = env.WEBGPU_CNN_ADAPTER === 'swiftshader';
  const chosen = env.VK_DRIVER_FILES || env.VK_ICD_FILENAMES;
  // Every instance made here must stay referenced by whoever uses the device (the GpuContext):
  // a collected instance, even the one that found no adapter, takes down state the device needs.
  const instances: GPU[] = [];
  const tried: string[] = [];
  const attempt = async (what: string, opts?: GPURequestAdapterOptions) => {
    const gpu = dawn.create(dawnFlags(robustness));
    instances.push(gpu);
    const adapter = await gpu.requestAdapter(opts);
    if (!adapter) tried.push(`${what}: no adapter`);
    return adapter;
  };
  if (force) tried.push('WEBGPU_CNN_ADAPTER=swiftshader skips the GPU');
  else if (chosen) {
    const what = `the Vulkan drivers you set (${env.VK_DRIVER_FILES ? 'VK_DRIVER_FILES' : 'VK_ICD_FILENAMES'}=${chosen})`;
    // Files that are not there would only make the loader print warnings.
    if (!chosen.split(':').some((f) => existsSync(f))) tried.push(`${what}: not found`);
    else {
      const a = await attempt(what, { powerPreference: 'high-performance' });
      if (a) return { adapter: a, source: 'native', instances };
    }
  } else if (installedVulkanDrivers(env).length) {
    const a = await attempt('the installed Vulkan drivers', { powerPreference: 'high-performance' });
    if (a) return { adapter: a, source: 'native', instances };
  } else tried.push('GPU: no Vulkan driver installed');
  const icd = swiftShaderIcd(env);
  // A driver list the user chose is respected: only an unset one is pointed at SwiftShader.
  if (icd && (force || !chosen)) {
    // Set only while the instance finds its adapter, then restored: a later context in the same
    // process must not take our choice for the user's and call SwiftShader its native GPU.
    const saved = [env.VK_ICD_FILENAMES, env.VK_DRIVER_FILES];
    env.VK_ICD_FILENAMES = icd;
    env.VK_DRIVER_FILES = icd;
    const a = await attempt(`SwiftShader (${icd})`).finally(() => {
      for (const [k, v] of [['VK_ICD_FILENAMES', saved[0]], ['VK_DRIVER_FILES', saved[1]]] as const) if (v === undefined) delete env[k]; else env[k] = v;
    });
    if (a) return { adapter: a, source: 'swiftshader-fallback', instances };
  } else if (!icd) tried.push(env.WEBGPU_CNN_SWIFTSHADER_ICD ? `SwiftShader: ${env.WEBGPU_CNN_SWIFTSHADER_ICD} not found` : 'SwiftShader: not installed');
  else tried.push(`SwiftShader (${icd}): not tried, because you set the Vulkan drivers`);
  throw new NoAdapterError(`no WebGPU adapter found; tried ${tried.join('; ')}: ${installHint(icd, Boolean(chosen && !force))}`);
}

function installHint(icd: string | null, chosen: boolean): string {
  const loader = VULKAN_LOADERS.some((p) => existsSync(p));
  const need = [loader ? null : 'libvulkan1', icd ? null : 'chromium (it ships SwiftShader)'].filter(Boolean);
  if (need.length) return `install ${need.join(' and ')} (${INSTALL})`;
  if (chosen) return 'unset VK_ICD_FILENAMES and VK_DRIVER_FILES to use the SwiftShader fallback, or point them at a working driver';
  return 'check the GPU driver, or point VK_ICD_FILENAMES at a Vulkan ICD json';
}

export async function createNodeContext(opts: NodeContextOptions = {}): Promise<GpuContext> {
  const robustness = opts.robustness ?? false;
  const { adapter, source, instances } = await requestNodeAdapter(process.env, robustness);
  return createContextFromAdapter(adapter, { ...opts, source, robustness, retain: [...instances, adapter] });
}

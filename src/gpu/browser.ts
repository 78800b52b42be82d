import { createContextFromAdapter, type ContextOptions, type GpuContext } from './context.js';

export const ENABLE_WEBGPU_HINT =
  'This browser does not expose WebGPU. Use a recent Chrome, Edge or Safari 26+; on Linux Chrome/Chromium start it with ' +
  '--enable-unsafe-webgpu (and --enable-features=Vulkan), in Firefox set dom.webgpu.enabled. The page must be served over https or http://localhost.';

export async function createBrowserContext(opts: ContextOptions = {}): Promise<GpuContext> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator)) throw new Error(ENABLE_WEBGPU_HINT);
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error(`WebGPU is present but no adapter was returned. ${ENABLE_WEBGPU_HINT}`);
  return createContextFromAdapter(adapter, { ...opts, source: 'browser' });
}

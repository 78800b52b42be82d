// The device kit's first look at the machine, independent of the engine: what Dawn's Vulkan
// backend finds (adapter info, features, every limit), which libvulkan the process loaded and
// which driver manifests Vulkan was pointed at. Without a GPU it tries SwiftShader as the engine
// does (the kit's test on a machine without one). Prints one JSON object; exits 3 without an adapter.
import { existsSync, readFileSync } from 'node:fs';
import { create, globals } from './node_modules/webgpu/index.js';

Object.assign(globalThis, globals);
const instances = [create(['disable-dawn-features=timestamp_quantization'])];
let adapter = await instances[0].requestAdapter({ powerPreference: 'high-performance' });
let source = 'native';
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!adapter && !process.env.VK_DRIVER_FILES && existsSync(swiftshader)) {
  process.env.VK_DRIVER_FILES = swiftshader;
  instances.push(create([]));
  adapter = await instances[1].requestAdapter();
  source = 'swiftshader-fallback';
}
const loaded = readFileSync('/proc/self/maps', 'utf8').split('\n').map((l) => l.split(/\s+/)[5]).filter((p) => p && /libvulkan|nvidia|swiftshader/i.test(p));
const out = {
  env: Object.fromEntries(['VK_DRIVER_FILES', 'VK_ICD_FILENAMES', 'LD_LIBRARY_PATH'].map((k) => [k, process.env[k] ?? null])),
  loaded: [...new Set(loaded)],
  adapter: null,
};
if (adapter) {
  const limits = {};
  for (const k in adapter.limits) if (typeof adapter.limits[k] === 'number') limits[k] = adapter.limits[k];
  const i = adapter.info;
  out.adapter = { source, vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, features: [...adapter.features].sort(), limits };
}
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
process.exit(adapter ? 0 : 3);

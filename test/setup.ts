// Prints the adapter the kernel tests will run on, once, at the top of `npm test`.
import { nodeContext } from './helpers/gpu.js';

export default async function setup(): Promise<void> {
  const keys = ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES'] as const;
  const saved = keys.map((k) => process.env[k]);
  const ctx = await nodeContext();
  const l = ctx.limits;
  console.log(`WebGPU adapter: ${ctx.describe()}; timestamp-query: ${ctx.hasTimestamps ? 'yes' : 'no'}; ` +
    `max workgroups/dim ${l.maxComputeWorkgroupsPerDimension}, storage buffers/stage ${l.maxStorageBuffersPerShaderStage}`);
  ctx.destroy();
  // Workers inherit this process's env: undo the fallback's changes so each finds its adapter itself.
  keys.forEach((k, i) => (saved[i] === undefined ? delete process.env[k] : (process.env[k] = saved[i])));
}

// Runs in its own process (Vitest forks per file), so changing Vulkan env vars here is contained.
import { describe, expect, it } from 'vitest';
import { requestNodeAdapter, NoAdapterError } from '../../src/gpu/node.js';

describe('adapter discovery', () => {
  it('fails with one clear line saying what to install when no Vulkan driver can be found', async () => {
    const keys = ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'WEBGPU_CNN_SWIFTSHADER_ICD'] as const;
    const saved = keys.map((k) => process.env[k]);
    process.env.VK_ICD_FILENAMES = '/nonexistent/icd.json';
    process.env.VK_DRIVER_FILES = '/nonexistent/icd.json';
    process.env.WEBGPU_CNN_SWIFTSHADER_ICD = '/nonexistent/swiftshader.json';
    try {
      const err = await requestNodeAdapter().then(() => null, (e: Error) => e);
      expect(err).toBeInstanceOf(NoAdapterError);
      expect(err!.message).toMatch(/^no WebGPU adapter found; tried .*SwiftShader: \/nonexistent\/swiftshader.json not found: install chromium/);
      expect(err!.message).not.toContain('\n');
    } finally {
      // Key by key: replacing process.env itself would detach it from the real environment.
      keys.forEach((k, i) => (saved[i] === undefined ? delete process.env[k] : (process.env[k] = saved[i])));
    }
  });

  it('with VK_ICD_FILENAMES set wrongly, says the SwiftShader fallback was not tried and how to use it', async () => {
    const keys = ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES'] as const;
    const saved = keys.map((k) => process.env[k]);
    delete process.env.VK_DRIVER_FILES;
    process.env.VK_ICD_FILENAMES = '/nonexistent/icd.json';
    try {
      const err = await requestNodeAdapter().then(() => null, (e: Error) => e);
      expect(err).toBeInstanceOf(NoAdapterError);
      expect(err!.message).toContain('tried the Vulkan drivers you set (VK_ICD_FILENAMES=/nonexistent/icd.json): not found');
      expect(err!.message).toMatch(/SwiftShader \(.*\): not tried, because you set the Vulkan drivers: unset VK_ICD_FILENAMES and VK_DRIVER_FILES/);
      expect(err!.message).not.toMatch(/install/);
    } finally {
      keys.forEach((k, i) => (saved[i] === undefined ? delete process.env[k] : (process.env[k] = saved[i])));
    }
  });

  it('finds a GPU, or falls back to SwiftShader by itself when there is none', async () => {
    delete process.env.VK_ICD_FILENAMES;
    delete process.env.VK_DRIVER_FILES;
    delete process.env.WEBGPU_CNN_SWIFTSHADER_ICD;
    const { adapter, source } = await requestNodeAdapter();
    expect(adapter).toBeTruthy();
    expect(['native', 'swiftshader-fallback']).toContain(source);
  });
});

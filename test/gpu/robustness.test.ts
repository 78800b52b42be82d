// The robustness switch reaches Dawn: with it on, a write past its binding is clamped into the
// binding (WebGPU's guarantee); with it off (the Node default) nothing clamps, so on SwiftShader the
// same write lands in the rest of the buffer. That is why every kernel must guard its own indices
// (test/gpu/bounds.test.ts checks them all).
import { describe, expect, it } from 'vitest';
import { createNodeContext } from '../../src/gpu/node.js';
import { run } from '../../src/gpu/dispatch.js';
import { readTensor } from '../../src/gpu/buffers.js';
import { dispatchKernel, kernelDef } from '../../src/kernels/contract.js';
import indexSource from '../../shaders/common/index.wgsl?raw';
import { testRobustness } from '../helpers/gpu.js';

// 64 invocations write y[i] = i + 1 with no guard, into a binding of 16 floats.
const OVERHANG = kernelDef({
  name: 'overhang.v1', file: 'robustness.test.ts', include: [indexSource], entry: 'main', uniforms: ['n'], bindings: { y: 'read_write' }, workgroup: 64,
  source: `
struct P { n: u32, _a: u32, _b: u32, _c: u32 }
override WG: u32;
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  y[i] = f32(i + p.n);
}`,
});

describe('robustness switch', () => {
  it.each([true, false])('robustness %s: what an unguarded write past its binding does', async (robustness) => {
    const ctx = await createNodeContext({ robustness });
    try {
      expect(ctx.describe().endsWith(', robustness on')).toBe(robustness);
      const buffer = ctx.device.createBuffer({ size: 256, usage: 0x80 /* STORAGE */ | 0x4 /* COPY_SRC */ | 0x8 /* COPY_DST */ });
      await run(ctx, [await dispatchKernel(ctx, OVERHANG, { uniforms: { n: 1 }, bind: { y: { buffer, offset: 0, shape: [16], dtype: 'f32' } }, threads: 64 })]);
      const all = Array.from(await readTensor(ctx.device, { buffer, offset: 0, shape: [64], dtype: 'f32' }));
      expect(all.slice(0, 15)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      // On: every write stays in the binding (the last element takes some clamped write), the rest of the buffer stays 0.
      if (robustness) expect(all.slice(16)).toEqual(new Array(48).fill(0));
      else expect(all.slice(16)).toEqual(Array.from({ length: 48 }, (_, i) => i + 17));
    } finally {
      ctx.destroy();
    }
  });

  it('the test helper reads WEBGPU_CNN_ROBUSTNESS (on|off, default off)', () => {
    expect(testRobustness({})).toBe(false);
    expect(testRobustness({ WEBGPU_CNN_ROBUSTNESS: 'on' })).toBe(true);
    expect(testRobustness({ WEBGPU_CNN_ROBUSTNESS: 'off' })).toBe(false);
    expect(() => testRobustness({ WEBGPU_CNN_ROBUSTNESS: 'yes' })).toThrow("WEBGPU_CNN_ROBUSTNESS must be on or off, got 'yes'");
  });
});

import { describe, expect, it } from 'vitest';
import { BufferPool, STORAGE } from '../../src/gpu/buffers.js';
import { grid, run } from '../../src/gpu/dispatch.js';
import { kernel, registry } from '../../src/kernels/registry.js';
import { reluForward } from '../../src/kernels/activation/family.js';
import { matmul } from '../../src/kernels/matmul/family.js';
import { nodeContext, rand, output } from '../helpers/gpu.js';

describe('GPU context', () => {
  it('names its adapter and requests timestamp-query when offered', async () => {
    const ctx = await nodeContext({ profile: true });
    try {
      expect(ctx.describe()).toMatch(/\[(native|swiftshader-fallback)\](, robustness on)?$/);
      console.log(`adapter: ${ctx.describe()}`);
      if (ctx.adapter.source === 'swiftshader-fallback') expect(ctx.adapter.description + ctx.adapter.architecture).toMatch(/swiftshader/i);
      expect(ctx.hasTimestamps).toBe(ctx.device.features.has('timestamp-query'));
      expect(ctx.profiler !== null).toBe(ctx.hasTimestamps);
    } finally {
      ctx.destroy();
    }
  });

  it('profiles each dispatch by registry name with positive GPU times', async () => {
    const ctx = await nodeContext({ profile: true });
    try {
      if (!ctx.profiler) throw new Error(`adapter ${ctx.describe()} has no timestamp-query: profiler cannot be tested here`);
      const x = rand(ctx, [256, 256], 1);
      const d1 = await matmul(ctx, x.t, x.t, output(ctx, [256, 256]), { version: 'v1' });
      const d2 = await reluForward(ctx, x.t, output(ctx, [256, 256]));
      await run(ctx, [d1, d2]);
      const t = await ctx.profiler.collect();
      expect(t.map((r) => r.kernel)).toEqual(['matmul.v1', 'relu.fwd.v1'].slice(0, t.length));
      expect(t.length + ctx.profiler.dropped).toBe(2);
      for (const r of t) expect(r.ns).toBeGreaterThan(0);
      expect(t[0].flops).toBe(2 * 256 ** 3);
    } finally {
      ctx.destroy();
    }
  });

  it('does not report a deliberate destroy() as a device loss', async () => {
    const lost: string[] = [];
    const ctx = await nodeContext({ onLost: (m) => lost.push(m) });
    ctx.destroy();
    const msg = await ctx.lost;
    expect(msg).toMatch(/destroyed/);
    expect(lost).toEqual([]);
  });

  it('caches pipelines by name and constants, and reuses pooled buffers', async () => {
    const ctx = await nodeContext();
    try {
      const def = kernel('matmul.v2');
      const a = await ctx.pipelines.get(def, { TRANS_A: 1 });
      expect(await ctx.pipelines.get(def, { TRANS_A: 1 })).toBe(a);
      expect(await ctx.pipelines.get(def, { TRANS_A: 0 })).not.toBe(a);
      const b1 = ctx.pool.acquire(100_000, STORAGE);
      ctx.pool.release(b1);
      expect(ctx.pool.acquire(70_000, STORAGE)).toBe(b1); // same 128 KiB class
      expect(ctx.pool.allocations).toBe(1);
      expect(() => ctx.pool.release(ctx.device.createBuffer({ size: 16, usage: STORAGE }))).toThrow(/not live/);
    } finally {
      ctx.destroy();
    }
  });
});

describe('dispatch geometry and registry', () => {
  it('splits workgroup counts over the per-dimension limit', () => {
    expect(grid(10, 65535)).toEqual([10, 1, 1]);
    const [x, y] = grid(65535 * 3 + 1, 65535);
    expect(x).toBeLessThanOrEqual(65535);
    expect(x * y).toBeGreaterThanOrEqual(65535 * 3 + 1);
    expect(() => grid(65535 * 65535 + 1, 65535)).toThrow(/exceeds/);
  });

  it('has a v1 for every op (helper passes belong to a registered op) and unique names', () => {
    for (const d of registry.values()) if (d.partOf) expect(registry.has(d.partOf), d.name).toBe(true);
    // A newer version may add passes of its own (matmul.sums.v5, batchnorm.bwd_sums.v2), but every
    // kernel family keeps a v1.
    const fams = new Set([...registry.values()].filter((d) => !d.partOf).map((d) => d.family));
    for (const f of fams) expect([...registry.values()].some((d) => d.family === f && d.version === 1), f).toBe(true);
    expect(() => kernel('conv2d.fwd.v9')).toThrow(/unknown kernel/);
    expect(BufferPool.sizeClass(70000)).toBe(131072);
  });
});

// The benchmark sweep must run every registered kernel (a new version without a case would
// silently vanish from the bench tables), and its timings must be real spans.
import { describe, expect, it } from 'vitest';
import { nodeContext } from '../helpers/gpu.js';
import { BENCH_SIZES, buildCases, caseNames, checkSize, uncovered } from '../../src/kernels/bench_cases.js';
import { benchKernels } from '../../src/kernels/bench.js';

describe('kernel bench sweep', () => {
  it('has a case for every registry entry and times each with positive spans', async () => {
    const ctx = await nodeContext({ profile: true });
    try {
      expect(uncovered(await buildCases(ctx, BENCH_SIZES.tiny))).toEqual([]);
      const { results } = await benchKernels(ctx, BENCH_SIZES.tiny, { reps: 2, warmup: 1 });
      expect(results.map((r) => r.kernel).sort()).toEqual(caseNames(ctx.limits, BENCH_SIZES.tiny).sort());
      for (const r of results) {
        expect(r.runs, r.kernel).toBeGreaterThan(0);
        // Zero is a kernel below the timer's resolution; the heavy ones must take measurable time.
        expect(r.medianUs, r.kernel).toBeGreaterThanOrEqual(0);
        if (/^(conv2d|matmul)\./.test(r.kernel)) expect(r.medianUs, r.kernel).toBeGreaterThan(0);
        expect(r.bytes, r.kernel).toBeGreaterThan(0);
      }
    } finally {
      ctx.destroy();
    }
  });

  it('rejects sizes it cannot run', () => {
    expect(() => checkSize({ ...BENCH_SIZES.tiny, k: 4 })).toThrow(/k must be odd/);
    expect(() => checkSize({ ...BENCH_SIZES.tiny, N: 0 })).toThrow(/N must be a positive integer/);
  });
});

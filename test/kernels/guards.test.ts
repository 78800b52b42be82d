// Guards a review found missing before the engine met a real GPU: the vec4 GEMM checks that its
// operands hold M, N and K (the shader indexes by them alone), and conv2d v3 takes no scratch
// above the 1 GiB it has run with, whatever larger limits an adapter offers.
import { describe, expect, it } from 'vitest';
import { gemmVec4, vec4GemmKernel } from '../../src/kernels/matmul/vec4.js';
import { conv2dFamily } from '../../src/kernels/conv2d/family.js';
import { conv2dGeom } from '../../src/kernels/conv2d/geometry.js';
import { V3_TESTED_BYTES } from '../../src/kernels/conv2d/v3.js';
import type { Limits } from '../../src/kernels/family.js';
import { gpu, output } from '../helpers/gpu.js';

const GEMM = vec4GemmKernel('matmul.v4');

describe('gemmVec4 checks its operands against M, N and K', () => {
  it.each([
    ['A too small', [8, 4], [8, 12], [8, 12], { M: 8, N: 12, K: 8 }, 'A [8, 4] holds 32 values; M x K = 8 x 8 needs 64'],
    ['B too large', [8, 8], [8, 16], [8, 12], { M: 8, N: 12, K: 8 }, 'B [8, 16] holds 128 values; K x N = 8 x 12 needs 96'],
    ['C too small', [8, 8], [8, 12], [4, 12], { M: 8, N: 12, K: 8 }, 'C [4, 12] holds 48 values; M x N = 8 x 12 needs 96'],
    ['C without its split-K slices', [8, 8], [8, 12], [8, 12], { M: 8, N: 12, K: 8, kc: 4 }, 'C [8, 12] holds 96 values; 2 splits x M x N = 2 x 8 x 12 needs 192'],
    ['an NCHW output of the wrong size', [4, 8], [8, 12], [2, 4, 5], { M: 4, N: 12, K: 8, nchw: { S: 6, NJ: 12, MR: 4 } }, 'C [2, 4, 5] holds 40 values; 2 images x 4 channels x 6 pixels needs 48'],
    ['NCHW columns that are not whole images', [4, 8], [8, 12], [2, 4, 6], { M: 4, N: 12, K: 8, nchw: { S: 5, NJ: 12, MR: 4 } }, 'its 12 NCHW columns are not whole images of 5 pixels'],
  ] as const)('refuses %s', async (_n, a, b, c, spec, why) => {
    const ctx = await gpu();
    expect(() => gemmVec4(ctx, GEMM, output(ctx, a), output(ctx, b), output(ctx, c), spec)).toThrow(`matmul.v4: ${why}`);
  });

  it('takes operands that match', async () => {
    const ctx = await gpu();
    await expect(gemmVec4(ctx, GEMM, output(ctx, [8, 8]), output(ctx, [8, 12]), output(ctx, [2, 8, 12]), { M: 8, N: 12, K: 8, kc: 4 })).resolves.toBeDefined();
  });
});

describe('conv2d v3 scratch is capped at the size it is tested with', () => {
  const v3 = conv2dFamily.versions.find((v) => v.name === 'v3')!;
  const v2 = conv2dFamily.versions.find((v) => v.name === 'v2')!;
  // An adapter with an H100's limits: 4 GiB bindings and buffers.
  const big = async (): Promise<Limits> => ({ ...(await gpu()).limits, maxStorageBufferBindingSize: 2 ** 32, maxBufferSize: 2 ** 32 });

  it('is at most the binding limit this adapter has', async () => {
    const ctx = await gpu();
    expect(Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize)).toBeLessThanOrEqual(V3_TESTED_BYTES);
  });

  it('refuses the cnn preset\'s second convolution at batch 2048 (a 1.9 GB im2col matrix) in words; v2 takes it', async () => {
    const g = conv2dGeom([2048, 32, 28, 28], [32, 32, 3, 3], { padding: 1 });
    expect(v3.unfit(g, await big())).toBe('its col scratch [292, 1605632] needs 1875378176 bytes, over the 1073741824 (1 GiB) it is tested with');
    expect(v2.unfit(g, await big())).toBeNull();
  });

  it('takes the same layer at batch 1024 (a 0.94 GB im2col matrix)', async () => {
    expect(v3.unfit(conv2dGeom([1024, 32, 28, 28], [32, 32, 3, 3], { padding: 1 }), await big())).toBeNull();
  });
});

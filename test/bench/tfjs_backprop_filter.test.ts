// The TF.js peer's Conv2DBackpropFilter for the wasm backend (bench/tfjs/backprop_filter.ts)
// against tfjs-backend-cpu's own kernel, on seeded inputs in [-1, 1].
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmBackpropFilter, type BackpropFilterAttrs } from '../../bench/tfjs/backprop_filter.js';

interface Case { N: number; H: number; W: number; Ci: number; Co: number; k: [number, number]; strides: [number, number]; pad: 'same' | 'valid' }
const CASES: Case[] = [
  { N: 2, H: 9, W: 9, Ci: 3, Co: 4, k: [3, 3], strides: [1, 1], pad: 'same' },
  { N: 1, H: 7, W: 8, Ci: 1, Co: 2, k: [5, 5], strides: [2, 2], pad: 'valid' },
  { N: 3, H: 10, W: 11, Ci: 3, Co: 5, k: [3, 3], strides: [2, 2], pad: 'same' },
  { N: 2, H: 6, W: 7, Ci: 2, Co: 3, k: [4, 3], strides: [1, 2], pad: 'same' },
  { N: 4, H: 12, W: 12, Ci: 1, Co: 6, k: [5, 5], strides: [1, 1], pad: 'valid' },
];

const name = (c: Case) => `N${c.N} ${c.H}x${c.W} Ci${c.Ci} Co${c.Co} k${c.k.join('x')} stride ${c.strides.join(',')} ${c.pad}`;

/** dW on `backend` from the same seeded x and dy. */
async function backpropFilter(backend: string, c: Case): Promise<{ dw: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const x = tf.randomUniform([c.N, c.H, c.W, c.Ci], -1, 1, 'float32', 11) as tf.Tensor4D;
  const info = tf.backend_util.computeConv2DInfo(x.shape, [...c.k, c.Ci, c.Co], c.strides, 1, c.pad, undefined, false, 'channelsLast');
  const dy = tf.randomUniform([c.N, info.outHeight, info.outWidth, c.Co], -1, 1, 'float32', 12);
  const attrs: BackpropFilterAttrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: [...c.k, c.Ci, c.Co] };
  const out = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  const r = { dw: (await out.data()) as Float32Array, shape: out.shape };
  tf.dispose([x, dy, out]);
  return r;
}

function expectClose(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  let worst = 0, at = -1;
  got.forEach((g, i) => {
    const err = Math.abs(g - want[i]) - (1e-4 + 1e-4 * Math.abs(want[i]));
    if (!(err <= worst)) { worst = err; at = i; } // NaN counts as a failure
  });
  expect(at, `first bad index ${at}: got ${got[at]}, want ${want[at]}`).toBe(-1);
}

describe('TF.js peer: Conv2DBackpropFilter for the wasm backend', () => {
  beforeAll(async () => {
    registerWasmBackpropFilter();
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  it.each(CASES.map((c) => [name(c), c] as const))('matches tfjs-backend-cpu: %s', async (_, c) => {
    const cpu = await backpropFilter('cpu', c), wasm = await backpropFilter('wasm', c);
    expect(wasm.shape).toEqual([...c.k, c.Ci, c.Co]);
    expect(cpu.dw.some((v) => v !== 0)).toBe(true);
    expectClose(wasm.dw, cpu.dw);
  });

  it('trains through it: the conv2d filter gradient on wasm matches cpu', async () => {
    const grad = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 5) as tf.Tensor4D, w = tf.randomUniform([3, 3, 3, 4], -1, 1, 'float32', 6);
      const g = tf.grad((f) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, 2, 'same'))))(w);
      const r = (await g.data()) as Float32Array;
      tf.dispose([x, w, g]);
      return r;
    };
    expectClose(await grad('wasm'), await grad('cpu'));
  });
});

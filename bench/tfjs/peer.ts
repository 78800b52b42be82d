// TF.js peer for bench/compare.ts and the benchmark page (which loads this page in an iframe): the
// benchmark models built with tfjs-layers and trained with Adam through optimizer.minimize (no loss
// readback per step, as in our engine). Bench-only code.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmBackpropFilter } from './backprop_filter.js';

setWasmPaths({ 'tfjs-backend-wasm.wasm': wasm, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
// Stock tfjs-backend-wasm 4.22 cannot train a CNN without it.
registerWasmBackpropFilter();

/** Same layers as our presets (src/nn/model.ts): LeNet-5 and the Keras MNIST CNN, NHWC here. */
function build(name: string): tfl.Sequential {
  const m = tfl.sequential();
  const relu = 'relu' as const;
  if (name === 'lenet') {
    m.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: relu }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: relu }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.flatten());
    m.add(tfl.layers.dense({ units: 120, activation: relu }));
    m.add(tfl.layers.dense({ units: 84, activation: relu }));
  } else if (name === 'keras') {
    m.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: relu }));
    m.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: relu }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.flatten());
    m.add(tfl.layers.dense({ units: 128, activation: relu }));
  } else throw new Error(`peer: unknown model ${name}`);
  m.add(tfl.layers.dense({ units: 10 }));
  return m;
}

export interface PeerRequest { backend: 'webgpu' | 'wasm' | 'cpu'; model: string; batch: number; steps: number }

async function measure(r: PeerRequest) {
  try {
    return await run(r);
  } catch (e) {
    // e.g. a backend that failed to initialise (webgpu on a browser without it).
    return { backend: r.backend, error: (e as Error).message.split('\n')[0] };
  }
}

async function run(r: PeerRequest) {
  if (!(await tf.setBackend(r.backend))) throw new Error(`TF.js backend ${r.backend} failed to initialise`);
  await tf.ready();
  const m = build(r.model);
  const opt = tf.train.adam(1e-3);
  const x = tf.randomUniform([r.batch, 28, 28, 1], -1, 1);
  const y = tf.oneHot(tf.randomUniform([r.batch], 0, 10, 'int32') as tf.Tensor1D, 10);
  const step = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(y, m.apply(x) as tf.Tensor) as tf.Scalar, false);
  // One weight read waits for all queued work (the only readback, like ours).
  const sync = () => m.getWeights()[0].data();
  step();
  await sync();
  const t0 = performance.now();
  for (let i = 0; i < r.steps; i++) step();
  await sync();
  const ms = (performance.now() - t0) / r.steps;
  const wasmThreads = r.backend === 'wasm' ? getThreadsCount() : null;
  tf.dispose([x, y]);
  m.dispose();
  opt.dispose();
  return { backend: tf.getBackend(), version: tf.version_core, msPerStep: ms, imagesPerSec: (1000 * r.batch) / ms, wasmThreads, crossOriginIsolated };
}

async function measureAndShow(r: PeerRequest) {
  const res = await measure(r);
  const line = 'error' in res ? `${r.model} b${r.batch} ${r.backend}: ${res.error}` : `${r.model} b${r.batch} ${res.backend}: ${res.msPerStep.toFixed(1)} ms/step, ${Math.round(res.imagesPerSec)} images/s`;
  document.getElementById('out')!.textContent += `\n${line}`;
  return res;
}

(window as unknown as { peer: object }).peer = { measure: measureAndShow, version: tf.version_core };
document.getElementById('out')!.textContent = `TF.js ${tf.version_core} ready; crossOriginIsolated=${crossOriginIsolated}`;

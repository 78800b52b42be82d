// Conv2DBackpropFilter for tfjs-backend-wasm, which 4.22 lacks (so it cannot train a CNN), built
// from kernels that backend has: PadV2, Slice, Transpose and Conv2D. Bench-only code: it lets the
// wasm peer train the same models as ours; the engine never imports TF.js.
//
// dW[kh,kw,ci,co] = sum over n,oh,ow of x[n, oh*s + kh - pt, ow*s + kw - pl, ci] * dy[n,oh,ow,co]
// is a stride-1 convolution of x (batch and channel axes swapped: [Ci, H, W, N]) with dy as the
// filter ([OH, OW, N, Co], dilated by the stride), whose output [Ci, KH, KW, Co] is dW transposed.
import * as tf from '@tensorflow/tfjs-core';

export interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** x [N,H,W,Ci], dy [N,OH,OW,Co] -> dW [KH,KW,Ci,Co], with tf ops on the active backend. */
export function conv2dBackpropFilterByConv(x: tf.Tensor4D, dy: tf.Tensor4D, a: BackpropFilterAttrs): tf.Tensor4D {
  if (a.dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (peer): dataFormat ${a.dataFormat} is not supported, only NHWC`);
  const info = tf.backend_util.computeConv2DInfo(x.shape, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const [KH, KW] = a.filterShape;
  const { strideHeight: sh, strideWidth: sw, outHeight: OH, outWidth: OW } = info;
  if (dy.shape[1] !== OH || dy.shape[2] !== OW) throw new Error(`Conv2DBackpropFilter (peer): dy is ${dy.shape}, the convolution gives ${OH}x${OW}`);
  const { top, left } = info.padInfo;
  return tf.tidy(() => {
    // Rows (columns) the last output never reaches are cut; the rest are padded as the forward pads.
    const needH = KH + (OH - 1) * sh, needW = KW + (OW - 1) * sw;
    const [, H, W] = x.shape;
    const bottom = needH - top - H, right = needW - left - W;
    let xp: tf.Tensor4D = tf.pad(x, [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]]);
    if (bottom < 0 || right < 0) xp = tf.slice(xp, [0, 0, 0, 0], [-1, needH, needW, -1]);
    const xs = tf.transpose(xp, [3, 1, 2, 0]);
    const f = tf.transpose(dy, [1, 2, 0, 3]);
    const dwT = tf.conv2d(xs, f, 1, 'valid', 'NHWC', [sh, sw]);
    return tf.transpose(dwT, [1, 2, 0, 3]);
  });
}

/** Registers the kernel for the wasm backend (once; later calls do nothing). */
export function registerWasmBackpropFilter(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const e = tf.engine(), { x, dy } = inputs;
      if (!x || !dy) throw new Error('Conv2DBackpropFilter (peer): needs inputs x and dy');
      // The inputs are bare TensorInfos: wrap them (one more reference each) for the ops, then drop the wrappers.
      return tf.tidy(() => conv2dBackpropFilterByConv(
        e.makeTensorFromTensorInfo(x) as tf.Tensor4D, e.makeTensorFromTensorInfo(dy) as tf.Tensor4D, attrs as unknown as BackpropFilterAttrs));
    },
  });
}

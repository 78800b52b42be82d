/**
 * MNIST-style preprocessing of an arbitrary grayscale image (0 = black, 255 = white), as the data
 * set was made: white ink on black, cropped to the ink, scaled so the longer side is 20 px
 * (aspect kept), placed in 28x28 with its centre of mass at the centre.
 */
export interface Gray { width: number; height: number; data: Uint8Array }

export class ImageError extends Error {}

export function preprocess(img: Gray, file = 'image'): Uint8Array {
  const { width: w, height: h } = img;
  const n = w * h;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += img.data[i];
  mean /= n;
  // Ink is the minority: a light background means dark ink, so invert.
  const ink = new Float64Array(n);
  for (let i = 0; i < n; i++) ink[i] = mean > 127 ? 255 - img.data[i] : img.data[i];
  // Judge ink by contrast against the background level, so a flat gray image counts as blank.
  let max = 0, min = 255;
  for (let i = 0; i < n; i++) { max = Math.max(max, ink[i]); min = Math.min(min, ink[i]); }
  if (max - min < 40) throw new ImageError(`${file}: no digit found (the image is blank or has almost no contrast)`);
  for (let i = 0; i < n; i++) ink[i] -= min;
  const thr = (max - min) * 0.25;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (ink[y * w + x] > thr) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale)), th = Math.max(1, Math.round(bh * scale));
  // Area-average downscale of the crop (box filter), bilinear when enlarging.
  const small = new Float64Array(tw * th);
  for (let ty = 0; ty < th; ty++)
    for (let tx = 0; tx < tw; tx++) {
      const sx0 = x0 + tx / scale, sx1 = x0 + (tx + 1) / scale, sy0 = y0 + ty / scale, sy1 = y0 + (ty + 1) / scale;
      let acc = 0, area = 0;
      for (let y = Math.floor(sy0); y < Math.ceil(sy1); y++)
        for (let x = Math.floor(sx0); x < Math.ceil(sx1); x++) {
          const a = (Math.min(x + 1, sx1) - Math.max(x, sx0)) * (Math.min(y + 1, sy1) - Math.max(y, sy0));
          if (a <= 0) continue;
          acc += a * (ink[Math.min(h - 1, y) * w + Math.min(w - 1, x)] > thr * 0.5 ? ink[Math.min(h - 1, y) * w + Math.min(w - 1, x)] : 0);
          area += a;
        }
      small[ty * tw + tx] = area > 0 ? acc / area : 0;
    }
  // Stretch contrast so the strongest stroke is full white, as in MNIST.
  let smax = 0;
  for (const v of small) smax = Math.max(smax, v);
  let mx = 0, my = 0, mass = 0;
  for (let y = 0; y < th; y++)
    for (let x = 0; x < tw; x++) { const v = small[y * tw + x]; mx += v * x; my += v * y; mass += v; }
  const cx = mx / mass, cy = my / mass;
  const ox = Math.round(13.5 - cx), oy = Math.round(13.5 - cy);
  const out = new Uint8Array(28 * 28);
  for (let y = 0; y < th; y++)
    for (let x = 0; x < tw; x++) {
      const X = x + ox, Y = y + oy;
      if (X >= 0 && X < 28 && Y >= 0 && Y < 28) out[Y * 28 + X] = Math.round(Math.min(255, (255 * small[y * tw + x]) / smax));
    }
  return out;
}

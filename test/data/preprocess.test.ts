import { describe, expect, it } from 'vitest';
import { preprocess } from '../../src/data/preprocess.js';

/** A dark ring drawn on a light canvas, away from the centre. */
function ring(w: number, h: number, cx: number, cy: number, r: number, bg = 230, ink = 20): Uint8Array {
  const d = new Uint8Array(w * h).fill(bg);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const dist = Math.hypot(x - cx, y - cy);
    if (dist > r - 6 && dist < r) d[y * w + x] = ink;
  }
  return d;
}

describe('MNIST-style preprocessing', () => {
  it('inverts a light background, crops, fits 20 px, and centres by mass in 28x28', () => {
    const out = preprocess({ width: 200, height: 150, data: ring(200, 150, 140, 50, 30) });
    expect(out.length).toBe(784);
    let mass = 0, mx = 0, my = 0, x0 = 28, x1 = -1, y0 = 28, y1 = -1, max = 0;
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
      const v = out[y * 28 + x];
      max = Math.max(max, v);
      mass += v; mx += v * x; my += v * y;
      if (v > 0) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    }
    expect(max).toBe(255); // ink is white, full contrast
    expect(Math.max(x1 - x0 + 1, y1 - y0 + 1)).toBe(20);
    expect(Math.abs(mx / mass - 13.5)).toBeLessThan(1);
    expect(Math.abs(my / mass - 13.5)).toBeLessThan(1);
    expect(out[0]).toBe(0); // background black
  });

  it('keeps the aspect ratio of a tall stroke', () => {
    const d = new Uint8Array(100 * 100);
    for (let y = 10; y < 90; y++) for (let x = 45; x < 55; x++) d[y * 100 + x] = 255; // white bar on black: no inversion
    const out = preprocess({ width: 100, height: 100, data: d });
    const cols = new Set<number>(), rows = new Set<number>();
    out.forEach((v, i) => { if (v > 0) { cols.add(i % 28); rows.add(Math.floor(i / 28)); } });
    expect(rows.size).toBe(20);
    expect(cols.size).toBeLessThanOrEqual(4);
  });

  it('rejects a blank image with one line naming it', () => {
    expect(() => preprocess({ width: 10, height: 10, data: new Uint8Array(100).fill(200) }, 'blank.png')).toThrow(/^blank.png: no digit found/);
  });
});

// Float64 reference for the data family's gather/augment (same hash, same inverse mapping).
import { hash01Ref } from '../hash_ref.js';

export interface GatherRefParams {
  B: number; start: number; H: number; W: number;
  mean: number; std: number;
  augment?: { seed: number; maxShift: number; maxRot: number; scaleJit: number };
}

export function gatherRef(images: Uint8Array, labels: ArrayLike<number>, perm: ArrayLike<number>, count: number, p: GatherRefParams): { x: Float64Array; y: number[] } {
  const hw = p.H * p.W;
  const x = new Float64Array(p.B * hw);
  const y: number[] = [];
  const px = (img: number, r: number, c: number) => (r < 0 || c < 0 || r >= p.H || c >= p.W ? 0 : images[img * hw + r * p.W + c]);
  for (let b = 0; b < p.B; b++) {
    const j = p.start + b;
    if (j >= count) { y.push(0xffffffff); continue; }
    const img = perm[j];
    y.push(labels[img]);
    for (let oy = 0; oy < p.H; oy++)
      for (let ox = 0; ox < p.W; ox++) {
        let v = px(img, oy, ox);
        const a = p.augment;
        if (a) {
          const u = (k: number) => 2 * hash01Ref(a.seed, 4 * j + k) - 1;
          const t = u(0) * Math.tan(a.maxRot / 2), s = 1 + u(1) * a.scaleJit, tx = u(2) * a.maxShift, ty = u(3) * a.maxShift;
          const cs = (1 - t * t) / (1 + t * t), sn = (2 * t) / (1 + t * t);
          const cx = (p.W - 1) / 2, cy = (p.H - 1) / 2, dx = ox - cx - tx, dy = oy - cy - ty;
          const sy = (-sn * dx + cs * dy) / s + cy;
          const sx = (cs * dx + sn * dy) / s + cx;
          const r = Math.floor(sy), c = Math.floor(sx), fy = sy - r, fx = sx - c;
          const top = px(img, r, c) * (1 - fx) + px(img, r, c + 1) * fx;
          const bot = px(img, r + 1, c) * (1 - fx) + px(img, r + 1, c + 1) * fx;
          v = top * (1 - fy) + bot * fy;
        }
        x[b * hw + oy * p.W + ox] = (v / 255 - p.mean) / p.std;
      }
  }
  return { x, y };
}

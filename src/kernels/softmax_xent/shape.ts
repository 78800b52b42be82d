// The logits shape every row-wise family over [B, K] takes (softmax_xent, metrics), checked.
import type { Tensor } from '../../gpu/buffers.js';
import { expectRank, expectShape } from '../shapes.js';

/** smoothing: the pass smooths its labels (softmax_xent's step; a version may be unfit for it). */
export interface XentShape { B: number; K: number; smoothing?: boolean }

/** The shape of logits z [B, K] with labels [B] (u32), checked. */
export function logitsShape(z: Tensor, labels: Tensor | null): XentShape {
  expectRank('logits', z, 2);
  const [B, K] = z.shape;
  if (K < 1) throw new Error('logits: need at least one class');
  if (labels) expectShape('labels', labels, [B], 'u32');
  return { B, K };
}

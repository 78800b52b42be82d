export interface ScheduleConfig {
  kind: 'constant' | 'step' | 'cosine' | 'onecycle';
  /** step: multiply by gamma every `every` epochs. */
  gamma?: number;
  every?: number;
  /** Linear warm-up over this many steps (constant, step, cosine); onecycle: the rise's length (default 30% of the run). */
  warmup?: number;
  /** cosine and onecycle: final lr as a fraction of the base lr (onecycle's default 4e-6 = 1/25 / 1e4). */
  floor?: number;
  /** onecycle: the starting lr as a fraction of the base (peak) lr; default 1/25. */
  start?: number;
}

export const SCHEDULES: readonly ScheduleConfig['kind'][] = ['constant', 'step', 'cosine', 'onecycle'];

/** From a to b along half a cosine, p in [0, 1]. */
const cosAnneal = (a: number, b: number, p: number) => b + ((a - b) / 2) * (1 + Math.cos(Math.PI * p));

/**
 * Learning rate at `step` (0-based) of `total`, with `perEpoch` steps in an epoch. onecycle
 * (Smith's one-cycle in the manner of PyTorch's OneCycleLR, without momentum cycling): a cosine rise from
 * base*start to base over the warm-up, then a cosine fall to base*floor at the last step.
 */
export function lrAt(base: number, s: ScheduleConfig, step: number, total: number, perEpoch: number): number {
  const warm = s.warmup ?? 0;
  const w = warm > 0 && step < warm ? (step + 1) / warm : 1;
  switch (s.kind) {
    case 'constant':
      return base * w;
    case 'step':
      return base * w * (s.gamma ?? 0.1) ** Math.floor(step / perEpoch / (s.every ?? 1));
    case 'cosine': {
      const f = s.floor ?? 0;
      const p = Math.min(1, Math.max(0, (step - warm) / Math.max(1, total - warm)));
      return base * w * (f + (1 - f) * 0.5 * (1 + Math.cos(Math.PI * p)));
    }
    case 'onecycle': {
      const up = Math.max(1, warm || Math.round(0.3 * total));
      if (step <= up) return cosAnneal(base * (s.start ?? 1 / 25), base, step / up);
      return cosAnneal(base, base * (s.floor ?? 4e-6), Math.min(1, (step - up) / Math.max(1, total - 1 - up)));
    }
    default:
      throw new Error(`unknown lr schedule '${(s as { kind: string }).kind}' (use ${SCHEDULES.join(', ')})`);
  }
}

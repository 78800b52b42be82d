export interface ScheduleConfig {
  kind: 'constant' | 'step' | 'cosine';
  /** step: multiply by gamma every `every` epochs. */
  gamma?: number;
  every?: number;
  /** Linear warm-up over this many steps (all kinds). */
  warmup?: number;
  /** cosine: final lr as a fraction of the base lr. */
  floor?: number;
}

/** Learning rate at `step` (0-based) of `total`, with `perEpoch` steps in an epoch. */
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
    default:
      throw new Error(`unknown lr schedule '${(s as { kind: string }).kind}' (use constant, step or cosine)`);
  }
}

// `train`'s hyper-parameters from flags, else a resumed run's config, else the model's recipe.
// Pure (no Node APIs): the train page fills and checks its form with the same function.
import type { TrainConfig } from '../train/trainer.js';
import type { Recipe } from '../train/recipes.js';
import { SCHEDULES } from '../optim/schedule.js';
import { intFlag, numFlag, UsageError, type Flags } from './args.js';

export type HyperParams = Omit<TrainConfig, 'model' | 'spec'>;

const str = (f: Flags, k: string, d: string) => (f[k] === undefined ? d : String(f[k]));

/** Adam's beta: the flag in [0, 1), else the recipe's or checkpoint's (undefined: the optimizer's own default). */
const betaFlag = (f: Flags, name: string, d: number | undefined): number | undefined => (f[name] === undefined ? d : numFlag(f, name, 0, 0, 1));

/** Every value checked; a wrong one is one UsageError naming its flag. `epochs`: the default when no flag or checkpoint gives one. */
export function hyperParams(f: Flags, r: Recipe, prev: Partial<TrainConfig>, epochs: number): HyperParams {
  const opt = str(f, 'optimizer', prev.optimizer?.type ?? r.optimizer);
  if (!['sgd', 'adam', 'adamw'].includes(opt)) throw new UsageError(`--optimizer must be sgd, adam or adamw, got '${opt}'`);
  const sched = str(f, 'schedule', prev.schedule?.kind ?? r.schedule);
  if (!(SCHEDULES as string[]).includes(sched)) throw new UsageError(`--schedule must be ${SCHEDULES.join(', ')}, got '${sched}'`);
  const mine = opt === r.optimizer; // the recipe's lr and betas are for its own optimizer
  for (const k of ['beta1', 'beta2']) if (opt === 'sgd' && f[k] !== undefined) throw new UsageError(`--${k} applies to adam and adamw, not sgd (use --momentum)`);
  const target = f['target-acc'] === undefined ? undefined : Number(f['target-acc']);
  if (target !== undefined && !(target > 0 && target <= 100)) throw new UsageError(`--target-acc must be a test accuracy in percent, in (0, 100], got ${f['target-acc']}`);
  return {
    epochs: intFlag(f, 'epochs', prev.epochs ?? epochs, 1), batch: intFlag(f, 'batch', prev.batch ?? r.batch, 1),
    seed: intFlag(f, 'seed', prev.seed ?? 1, 0),
    optimizer: { type: opt as 'adam', lr: numFlag(f, 'lr', prev.optimizer?.lr ?? (mine ? r.lr : undefined) ?? (opt === 'sgd' ? 0.05 : 1e-3), 0, Infinity, true),
      momentum: numFlag(f, 'momentum', prev.optimizer?.momentum ?? 0.9, 0, 1),
      weightDecay: numFlag(f, 'weight-decay', prev.optimizer?.weightDecay ?? (opt === 'adamw' ? 1e-4 : 0), 0),
      ...(opt !== 'sgd' ? { beta1: betaFlag(f, 'beta1', prev.optimizer?.beta1 ?? (mine ? r.beta1 : undefined)), beta2: betaFlag(f, 'beta2', prev.optimizer?.beta2 ?? (mine ? r.beta2 : undefined)) } : {}) },
    schedule: { kind: sched as 'cosine', warmup: intFlag(f, 'warmup', prev.schedule?.warmup ?? 0, 0) },
    augment: f.augment === undefined ? prev.augment ?? r.augment : Boolean(f.augment),
    logEvery: intFlag(f, 'log-every', 50, 1),
    labelSmoothing: numFlag(f, 'label-smoothing', prev.labelSmoothing ?? r.labelSmoothing, 0, 1),
    ...(target !== undefined ? { targetAcc: target / 100 } : {}),
    ...(f['eval-every'] !== undefined ? { evalEvery: intFlag(f, 'eval-every', 0, 1) } : {}),
  };
}

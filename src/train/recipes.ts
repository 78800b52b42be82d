// What `train` uses for a preset unless flags say otherwise; a model from a file gets the plain
// defaults. The optimizer's lr and betas apply only with the recipe's optimizer.
import type { ScheduleConfig } from '../optim/schedule.js';

export interface Recipe {
  epochs: number;
  batch: number;
  augment: boolean;
  optimizer: 'sgd' | 'adam' | 'adamw';
  lr?: number;
  beta1?: number;
  beta2?: number;
  schedule: ScheduleConfig['kind'];
  labelSmoothing: number;
}

const PLAIN: Recipe = { epochs: 15, batch: 64, augment: false, optimizer: 'adam', schedule: 'cosine', labelSmoothing: 0 };

const RECIPES: Record<string, Partial<Recipe>> = {
  lenet: { epochs: 10 },
  cnn: { augment: true },
  // tuomaso/train_mnist_fast's: Adam (betas 0.7, 0.9) at a one-cycle peak of 0.01, batch 256, one epoch.
  fast: { epochs: 1, batch: 256, lr: 0.01, beta1: 0.7, beta2: 0.9, schedule: 'onecycle' },
  // The GPU default. On an H100, 8 epochs ended at 99.51-99.63% over seeds 1-7 (6 epochs: 99.51-99.55%,
  // 5 epochs: 99.46-99.60%); bench/RESULTS.md has the sweep.
  bncnn: { epochs: 8, batch: 128, augment: true, lr: 0.005, schedule: 'onecycle', labelSmoothing: 0.1 },
};

export const recipeFor = (preset: string | undefined): Recipe => ({ ...PLAIN, ...(preset && Object.hasOwn(RECIPES, preset) ? RECIPES[preset] : {}) });

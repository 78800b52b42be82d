// --target-acc and --eval-every in the trainer: test evaluations every N steps (one readback
// each), a stop at the first one that reaches the target, the partial epoch saved as the result,
// the one-off setup timed apart, and the estimate from the first steps.
import { describe, expect, it } from 'vitest';
import { train, type EvalPoint, type TrainConfig } from '../../src/train/trainer.js';
import type { RunEstimate, SetupTimes } from '../../src/train/clock.js';
import type { ImageSet } from '../../src/data/idx.js';
import type { ModelSpec } from '../../src/nn/model.js';
import { rng } from '../../src/util/rng.js';
import { gpu } from '../helpers/gpu.js';

/** Class k: a bright 7x7 square at one of 10 places, over noise; learnable in a few dozen steps. */
function squares(n: number, seed: number): ImageSet {
  const r = rng(seed), images = new Uint8Array(n * 784), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(r() * 10);
    labels[i] = k;
    for (let p = 0; p < 784; p++) images[i * 784 + p] = Math.floor(r() * 60);
    const y0 = 2 + 12 * Math.floor(k / 5) + Math.floor(r() * 3), x0 = 1 + 5 * (k % 5);
    for (let y = 0; y < 7; y++) for (let x = 0; x < 7; x++) images[i * 784 + (y0 + y) * 28 + x0 + x] = 255;
  }
  return { count: n, rows: 28, cols: 28, classes: 10, images, labels };
}

const spec: ModelSpec = {
  name: 'tiny', input: [1, 28, 28], classes: 10,
  layers: [{ type: 'conv2d', in: 1, out: 4, kernel: 4, stride: 4, padding: 0 }, { type: 'relu' }, { type: 'flatten' }, { type: 'linear', in: 196, out: 10 }],
};
const split = { source: 'synthetic', train: squares(640, 1), test: squares(200, 2) };
const cfg = (over: Partial<TrainConfig>): TrainConfig => ({
  model: spec.name, spec, epochs: 3, batch: 16, seed: 1, augment: false, logEvery: 10,
  optimizer: { type: 'adam', lr: 0.01 }, schedule: { kind: 'constant' }, ...over,
});

describe('training to a target accuracy', () => {
  it('evaluates every N steps, stops at the first evaluation that reaches the target, and reports the partial epoch', async () => {
    const ctx = await gpu();
    const evals: EvalPoint[] = [], setups: SetupTimes[] = [];
    const estimates: RunEstimate[] = [];
    const r = await train(ctx, split, cfg({ targetAcc: 0.9, evalEvery: 5 }), {
      onEval: (p) => { evals.push(p); }, onSetup: (s) => { setups.push(s); }, onEstimate: (e) => { estimates.push(e); },
    });
    r.model.store.destroy();
    expect(r.reached, JSON.stringify(evals)).toBeDefined();
    const reached = r.reached!;
    // Every evaluation before the stop was below the target; the last one reached it.
    expect(evals.at(-1)!.acc).toBe(reached.acc);
    expect(reached.acc).toBeGreaterThanOrEqual(0.9);
    expect(evals.slice(0, -1).every((p) => p.acc < 0.9)).toBe(true);
    expect(evals.every((p) => p.step % 5 === 0 || p.step === 40)).toBe(true);
    expect(reached.evals).toBe(evals.length);
    expect(reached.images).toBe(((reached.epoch - 1) * 40 + reached.step) * 16);
    expect(reached.seconds).toBeGreaterThanOrEqual(reached.evalSeconds);
    // The last result is the epoch the run stopped in; stoppedAt says where, unless at its end.
    const last = r.results.at(-1)!;
    expect(last.epoch).toBe(reached.epoch);
    expect(last.testAcc).toBe(reached.acc);
    expect(last.stoppedAt).toBe(reached.step === 40 ? undefined : reached.step);
    expect((reached.epoch - 1) * 40 + reached.step).toBeLessThan(3 * 40); // it stopped before the last step
    console.log(`reached ${reached.acc} at epoch ${reached.epoch} step ${reached.step}; evaluations: ${evals.map((p) => p.acc).join(' ')}`);
    expect(setups).toHaveLength(1);
    expect(setups[0].uploadSec).toBeGreaterThanOrEqual(0);
    expect(setups[0].buildSec).toBeGreaterThan(0);
    expect(estimates).toHaveLength(1);
    // 3 epochs of 40 steps of 16 images, and the evaluations, at the measured rate.
    expect(estimates[0].imagesPerSec).toBeGreaterThan(0);
    expect(estimates[0].seconds).toBeGreaterThan((3 * 40 * 16) / estimates[0].imagesPerSec);
  });

  it('a target it never reaches: every epoch runs, evaluated at its end and every N steps, and nothing is reached', async () => {
    const ctx = await gpu();
    const evals: EvalPoint[] = [];
    const r = await train(ctx, split, cfg({ epochs: 2, targetAcc: 1, evalEvery: 15, optimizer: { type: 'adam', lr: 1e-5 } }), { onEval: (p) => { evals.push(p); } });
    r.model.store.destroy();
    expect(r.reached).toBeUndefined();
    expect(r.results.map((x) => x.epoch)).toEqual([1, 2]);
    expect(evals.map((p) => `${p.epoch}:${p.step}`)).toEqual(['1:15', '1:30', '1:40', '2:15', '2:30', '2:40']);
    expect(r.results.every((x) => x.stoppedAt === undefined)).toBe(true);
  });

  it('refuses an architecture whose input or classes do not fit the data set', async () => {
    const ctx = await gpu();
    const other = { ...spec, name: 'rgb', input: [3, 28, 28] as [number, number, number], layers: [{ ...spec.layers[0], in: 3 }, ...spec.layers.slice(1)] as ModelSpec['layers'] };
    await expect(train(ctx, split, cfg({ spec: other }))).rejects.toThrow('model rgb takes [3, 28, 28] images; the data set\'s are [1, 28, 28]');
    const nine = { ...spec, name: 'nine', classes: 9, layers: [...spec.layers.slice(0, 3), { type: 'linear', in: 196, out: 9 }] as ModelSpec['layers'] };
    await expect(train(ctx, split, cfg({ spec: nine }))).rejects.toThrow('model nine has 9 classes; the data set has 10');
  });

  it('without a target or --eval-every, only the epoch ends are evaluated', async () => {
    const ctx = await gpu();
    const evals: EvalPoint[] = [];
    const r = await train(ctx, split, cfg({ epochs: 1 }), { onEval: (p) => { evals.push(p); } });
    r.model.store.destroy();
    expect(evals.map((p) => p.step)).toEqual([40]);
  });
});

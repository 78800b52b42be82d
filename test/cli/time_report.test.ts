// What `train` says about time: durations in words, the CPU estimate (a warning with faster
// presets when it is hours), time to accuracy and a target never reached.
import { describe, expect, it } from 'vitest';
import { duration } from '../../src/train/clock.js';
import { estimateLine, targetLine } from '../../src/cli/time_report.js';
import type { TrainConfig } from '../../src/train/trainer.js';

const cfg = (model: string, epochs: number) => ({ model, epochs } as TrainConfig);

describe('time report', () => {
  it('durations', () => {
    expect([duration(0.2), duration(40), duration(89), duration(600), duration(3600), duration(11400), duration(Infinity)])
      .toEqual(['1 s', '40 s', '89 s', '10 min', '1 h', '3 h 10 min', 'an unknown time']);
  });

  it('the CPU estimate: a note under an hour, a warning with the presets that finish in minutes over it', () => {
    const lines: string[] = [];
    const warn = (m: string) => lines.push(`warn ${m}`), info = (m: string) => lines.push(`info ${m}`);
    estimateLine({ imagesPerSec: 300, seconds: 610 }, cfg('lenet', 3), warn, info);
    estimateLine({ imagesPerSec: 11, seconds: 11400 }, cfg('cnn', 15), warn, info);
    estimateLine({ imagesPerSec: 90, seconds: 7200 }, cfg('fast', 12), warn, info);
    expect(lines).toEqual([
      'info estimate: about 10 min for 3 epochs at 300 images/s (a CPU adapter)',
      'warn estimate: about 3 h 10 min for 15 epochs at 11 images/s (a CPU adapter); --model fast or --model lenet finish in minutes on a CPU (or give fewer --epochs)',
      'warn estimate: about 2 h for 12 epochs at 90 images/s (a CPU adapter); --model lenet finishes in minutes on a CPU (or give fewer --epochs)',
    ]);
  });

  it('time to accuracy, or the best a run got to', () => {
    const reached = { acc: 0.9902, epoch: 1, step: 234, steps: 234, images: 59904, seconds: 618.04, evals: 2, evalSeconds: 25.31 };
    expect(targetLine(0.99, reached, [])).toBe('time to 99.00%: 618.0 s of training (reached 99.02% at epoch 1, step 234/234, after 59,904 images; 2 test evaluations included, 25.3 s; data upload and pipelines not)');
    const r = (epoch: number, testAcc: number) => ({ epoch, testAcc, trainLoss: 0, trainAcc: 0, seconds: 1, imagesPerSec: 1 });
    expect(targetLine(0.995, undefined, [r(1, 0.98), r(2, 0.991), r(3, 0.99)])).toBe('did not reach 99.50% test accuracy (best 99.10%, epoch 2)');
  });
});

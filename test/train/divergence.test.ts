// The divergence rule accepts every way a blown-up run can end: SwiftShader turns NaN weights into
// +Inf losses (exp(NaN) = +Inf) or hides them (max(NaN, 0) = 0) where a GPU gives NaN.
import { describe, expect, it } from 'vitest';
import { DIVERGED_LOSS, divergence } from '../../src/train/trainer.js';

describe('divergence', () => {
  it.each([
    [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
    [1.5e30, '1.50e+30 (above 1000, diverged)'], [DIVERGED_LOSS + 1, '1.00e+3 (above 1000, diverged)'],
  ])('a mean loss of %s diverged: %s', (mean, why) => {
    expect(divergence(mean)).toBe(why);
  });

  it.each([0, 2.303, DIVERGED_LOSS])('a mean loss of %s did not', (mean) => {
    expect(divergence(mean)).toBeNull();
  });
});

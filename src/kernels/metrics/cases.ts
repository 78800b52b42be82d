// The metrics shape grid shared by the vitest kernel tests and selftest: one class (argmax 0),
// rows straddling the 64-row workgroup, odd class counts.
import type { MetricsShape } from './family.js';

export const METRICS_CASES: MetricsShape[] = [[1, 1], [1, 10], [7, 10], [64, 10], [65, 3], [130, 17]].map(([B, K]) => ({ B, K }));

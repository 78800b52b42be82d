// --robustness on|off (and WEBGPU_CNN_ROBUSTNESS, the default for CI) on a GPU command: checked
// before anything loads, refused for the browser runtime, and said on the adapter line when on.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const CLI = resolve('dist/cli/main.js');

function cli(env: Record<string, string | undefined>, ...args: string[]): { code: number; err: string } {
  const all = { ...process.env, ...env };
  for (const [k, v] of Object.entries(all)) if (v === undefined) delete all[k];
  const r = spawnSync('node', [CLI, ...args], { encoding: 'utf8', env: all, timeout: 300_000 });
  // Dawn prints driver warnings on stderr; keep only our lines.
  return { code: r.status ?? -1, err: r.stderr.split('\n').filter((l) => /^(error|adapter)/.test(l)).join('\n') };
}

beforeAll(() => {
  if (!process.env.MNIST_DIR) throw new Error('MNIST_DIR is not set; run with MNIST_DIR=../shared/data/mnist (as .ci/run does)');
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm test builds it first (pretest)`);
});

const EVAL = ['evaluate', '--test-limit', '8', '--autotune', 'off'];

describe('--robustness', () => {
  it('bad values and the browser runtime: one line, exit 2', () => {
    const cases: Array<[Record<string, string | undefined>, string[], string]> = [
      [{}, [...EVAL, '--robustness', 'maybe'], "--robustness must be on or off, got 'maybe'"],
      [{}, ['profile', '--runtime', 'browser', '--robustness', 'on'], '--robustness applies to the Node runtime; Chromium keeps its own setting'],
      [{ WEBGPU_CNN_ROBUSTNESS: 'yes' }, EVAL, "WEBGPU_CNN_ROBUSTNESS must be on or off, got 'yes'"],
    ];
    for (const [env, args, line] of cases) {
      const r = cli(env, ...args);
      expect([r.code, r.err], args.join(' ')).toEqual([2, `error: ${line}`]);
    }
  });

  it.each([
    ['off by default', { WEBGPU_CNN_ROBUSTNESS: undefined }, [], false],
    ['on with the flag', { WEBGPU_CNN_ROBUSTNESS: undefined }, ['--robustness', 'on'], true],
    ['on from the environment', { WEBGPU_CNN_ROBUSTNESS: 'on' }, [], true],
    ['the flag over the environment', { WEBGPU_CNN_ROBUSTNESS: 'on' }, ['--robustness', 'off'], false],
  ] as const)('%s (the adapter line names robustness only when on)', (_n, env, flags, on) => {
    const r = cli(env, ...EVAL, ...flags);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^adapter: .*\]/m);
    expect(/^adapter: .*, robustness on$/m.test(r.err), r.err).toBe(on);
  });
});

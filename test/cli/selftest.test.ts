// `webgpu-cnn selftest` from the built bundle (what a user runs on their GPU): every case passes
// on this adapter; and a broken comparison is a failing line, counted, with a non-zero exit.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runSelftest, selftestCases } from '../../src/selftest/run.js';
import { close } from '../../src/selftest/compare.js';
import { failures, type Case } from '../../src/selftest/io.js';
import { reluForward } from '../../src/kernels/activation/family.js';
import { reluRef } from '../../src/kernels/activation/ref.js';
import { RELU_CASES } from '../../src/kernels/activation/cases.js';
import { reluChecks } from '../../src/kernels/activation/check.js';
import { gpu } from '../helpers/gpu.js';

const CLI = resolve('dist/cli/main.js');

function selftest(...args: string[]) {
  return selftestEnv({}, ...args);
}

function selftestEnv(env: Record<string, string>, ...args: string[]) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm test builds it first (pretest)`);
  const r = spawnSync('node', [CLI, 'selftest', ...args], { encoding: 'utf8', timeout: 900_000, env: { ...process.env, ...env } });
  return { code: r.status, lines: r.stdout.trimEnd().split('\n'), err: r.stderr };
}

describe('selftest', () => {
  it('the built CLI passes every case on this adapter: the adapter first, `N passed, 0 failed` last, exit 0', () => {
    const r = selftest('--quiet');
    expect(r.lines[0]).toMatch(/^adapter: /);
    expect(r.lines.filter((l) => l.startsWith('FAIL')), r.err).toEqual([]);
    expect(r.lines.at(-1)).toBe(`${selftestCases().length} passed, 0 failed`);
    expect(r.code).toBe(0);
  });

  it('prints the limits and a line per group unless --quiet; --filter runs only the groups named', () => {
    const r = selftest('--filter', 'relu,reduce');
    expect(r.lines).toContain('limits:');
    expect(r.lines.some((l) => l.includes('maxStorageBufferBindingSize'))).toBe(true);
    expect(r.lines.filter((l) => /^\w+ +\d+ cases/.test(l)).map((l) => l.split(' ')[0])).toEqual(['relu', 'reduce']);
    expect(r.lines.at(-1)).toBe(`${selftestCases(['relu', 'reduce']).length} passed, 0 failed`);
    expect(selftest('--filter', 'relux').code).toBe(2);
  });

  it('without an adapter: one error line, exit 3', () => {
    const none = '/nonexistent/icd.json';
    const r = selftestEnv({ VK_ICD_FILENAMES: none, VK_DRIVER_FILES: none, WEBGPU_CNN_SWIFTSHADER_ICD: none });
    expect(r.code).toBe(3);
    expect(r.err.split('\n').filter((l) => l.startsWith('error'))).toEqual([expect.stringMatching(/^error: no WebGPU adapter found/)]);
  });

  it('a step that cannot run is a failing line with exit 5 (matmul v4 forced onto LeNet\'s 84-to-10 layer, whose gradients it cannot take)', () => {
    const r = selftest('--quiet', '--filter', 'lenet', '--kernels', 'matmul=v4');
    expect(r.lines.filter((l) => l.startsWith('FAIL step lenet'))).toHaveLength(1);
    expect(r.lines.at(-1)).toBe('0 passed, 1 failed');
    expect(r.code).toBe(5);
  });

  it('a broken comparison is reported as a failing line naming the case, the max error and the first bad index', async () => {
    const ctx = await gpu();
    const n = 65;
    // The relu kernel compared against a wrong reference, and an output the kernel never writes.
    const wrong: Case = {
      group: 'relu', name: 'v1', shape: 'n=65 (wrong reference)', run: async (io) => {
        const x = io.rand([n], 3), y = io.output([n]);
        await io.exec(reluForward(ctx, x.t, y, 'v1'));
        const want = reluRef(x.v).map((v, i) => (i === 7 ? v + 0.5 : v));
        return failures(close('relu fwd', await io.read(y), want, 1e-5, 1e-4));
      },
    };
    const unwritten: Case = {
      group: 'relu', name: 'v1', shape: 'n=65 (never run)', run: async (io) => failures(close('relu fwd', await io.read(io.output([n])), new Float64Array(n), 1e-5, 1e-4)),
    };
    const lines: string[] = [];
    const r = await runSelftest(ctx, [reluChecks()[RELU_CASES.length - 1], wrong, unwritten], { log: (l) => lines.push(l), quiet: true });
    expect(r).toMatchObject({ passed: 1, failed: 2 });
    const fails = lines.filter((l) => l.startsWith('FAIL'));
    expect(fails).toHaveLength(2);
    expect(fails[0]).toMatch(/^FAIL relu v1 n=65 \(wrong reference\): relu fwd: 1\/65 elements off \(atol 0\.00001, rtol 0\.0001\); max \|err\| 0\.5; first bad index 7: got \S+, want \S+$/);
    expect(fails[1]).toBe('FAIL relu v1 n=65 (never run): relu fwd: 65/65 elements off (atol 0.00001, rtol 0.0001); max |err| NaN; first bad index 0: got NaN, want 0');
    expect(lines.at(-1)).toBe('1 passed, 2 failed');
  });
});

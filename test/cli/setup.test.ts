import { describe, expect, it } from 'vitest';
import { setup, systemPackages, type SetupEnv } from '../../src/cli/setup.js';

function env(over: Partial<SetupEnv> = {}) {
  const lines: string[] = [], runs: string[] = [];
  const e: SetupEnv = { platform: 'linux', isRoot: true, hasApt: true, log: (l) => lines.push(l), run: (c, a) => runs.push([c, ...a].join(' ')), ...over };
  return { e, lines, runs };
}

describe('setup (system packages)', () => {
  it('installs nothing and says so when everything is present', () => {
    const { e, lines, runs } = env();
    expect(setup(systemPackages({ loader: true, swiftshader: true, chromium: true }), e)).toEqual([]);
    expect(runs).toEqual([]);
    expect(lines).toEqual(['libvulkan1: present', 'chromium: present']);
  });

  it('as root with apt, installs only what is missing, with a line for each', () => {
    const { e, lines, runs } = env();
    expect(setup(systemPackages({ loader: false, swiftshader: true, chromium: true }), e)).toEqual([]);
    expect(runs).toEqual(['apt-get update -qq', 'apt-get install -y -qq --no-install-recommends libvulkan1']);
    expect(lines).toContain('installing libvulkan1 (the Vulkan loader Dawn uses)');
  });

  it('without root, prints the exact command and installs nothing', () => {
    const { e, lines, runs } = env({ isRoot: false });
    expect(setup(systemPackages({ loader: false, swiftshader: false, chromium: false }), e)).toEqual(['libvulkan1', 'chromium']);
    expect(runs).toEqual([]);
    expect(lines.at(-1)).toMatch(/run as root: apt-get update && apt-get install -y --no-install-recommends libvulkan1 chromium$/);
  });

  it('a chromium without SwiftShader still counts as missing', () => {
    expect(systemPackages({ loader: true, swiftshader: false, chromium: true }).find((p) => p.name === 'chromium')!.present).toBe(false);
  });
});

// `webgpu-cnn setup`: the system packages the engine needs on Linux without a GPU. Installed
// only when missing, each with a line saying so; without root, the command to run is printed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { swiftShaderIcd } from '../gpu/node.js';
import { findChromium } from './runtime.js';

export interface SystemPackage { name: string; why: string; present: boolean }

/** What the engine looks for, and whether this machine has it. */
export function systemPackages(has = { loader: hasVulkanLoader(), swiftshader: swiftShaderIcd() !== null, chromium: hasChromium() }): SystemPackage[] {
  return [
    { name: 'libvulkan1', why: 'the Vulkan loader Dawn uses', present: has.loader },
    { name: 'chromium', why: 'SwiftShader, the CPU WebGPU adapter, and the headless-browser runtime', present: has.swiftshader && has.chromium },
  ];
}

function hasVulkanLoader(): boolean {
  const r = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  if (r.status === 0) return /libvulkan\.so\.1 /.test(r.stdout);
  return ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1'].some(existsSync);
}

function hasChromium(): boolean {
  try { findChromium(); return true; } catch { return false; }
}

export interface SetupEnv { platform: string; isRoot: boolean; hasApt: boolean; log(line: string): void; run(cmd: string, args: string[]): void }

/** Installs what is missing (apt, as root), or says exactly what to run. Returns what is still missing. */
export function setup(pkgs: SystemPackage[], env: SetupEnv): string[] {
  const missing = pkgs.filter((p) => !p.present);
  for (const p of pkgs) if (p.present) env.log(`${p.name}: present`);
  if (!missing.length) return [];
  const names = missing.map((p) => p.name);
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${names.join(' ')}`;
  if (env.platform !== 'linux') {
    env.log(`not Linux: a GPU with a WebGPU-capable driver is needed (${names.join(', ')} are for Linux)`);
    return names;
  }
  if (!env.isRoot || !env.hasApt) {
    env.log(`missing: ${missing.map((p) => `${p.name} (${p.why})`).join(', ')}; run as root: ${env.hasApt ? cmd : `(no apt-get here) install ${names.join(' ')} with your package manager`}`);
    return names;
  }
  for (const p of missing) env.log(`installing ${p.name} (${p.why})`);
  env.run('apt-get', ['update', '-qq']);
  env.run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names]);
  return [];
}

export function setupCommand(): void {
  const missing = setup(systemPackages(), {
    platform: process.platform,
    isRoot: process.getuid?.() === 0,
    hasApt: spawnSync('apt-get', ['--version']).status === 0,
    log: (l) => process.stderr.write(`setup: ${l}\n`),
    run: (cmd, args) => { execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }); },
  });
  if (missing.length) process.exitCode = 1;
}

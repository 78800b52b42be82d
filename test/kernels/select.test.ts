// The selection policy and kernel contracts: forced versions, the built-in order, autotune
// measuring once per shape bucket and then reading its cache, and contracts checked against WGSL.
import { describe, expect, it } from 'vitest';
import { matmulFamily, matmul, type MatmulShape } from '../../src/kernels/matmul/family.js';
import { memoryStore, parseKernelsFlag, pickFastest, SelectionPolicy, type AutotuneStore } from '../../src/kernels/select.js';
import { contractMismatch, kernelDef } from '../../src/kernels/contract.js';
import { FAMILIES, registry } from '../../src/kernels/registry.js';
import v1Source from '../../shaders/matmul/v1_naive.wgsl?raw';
import sizes from '../../shaders/matmul/sizes.wgsl?raw';
import operands from '../../shaders/matmul/operands.wgsl?raw';
import { gpu, output, rand } from '../helpers/gpu.js';

const shape: MatmulShape = { M: 32, N: 16, K: 24, transA: false, transB: false };
const odd: MatmulShape = { M: 7, N: 5, K: 3, transA: false, transB: false };

function countingStore(): AutotuneStore & { saves: number } {
  const inner = memoryStore();
  const s = { where: 'test', saves: 0, load: inner.load, save: async (k: string, e: Parameters<AutotuneStore['save']>[1]) => { s.saves++; await inner.save(k, e); } };
  return s;
}

describe('selection policy', () => {
  it('autotune measures every fitting version once per bucket, then the cache decides', async () => {
    const ctx = await gpu();
    const store = countingStore();
    const a = new SelectionPolicy({ store, reps: 2 });
    a.bindTo(ctx.autotuneKey);
    const v = await a.choose(ctx, matmulFamily, shape);
    const d = a.decisions[0];
    expect(d.why).toBe('fastest');
    expect(Object.keys(d.times).sort()).toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6']);
    for (const t of Object.values(d.times)) expect(t).toBeGreaterThan(0);
    expect(v.name).toBe(pickFastest(matmulFamily, d.times));
    expect(store.saves).toBe(1);
    // Same bucket, new policy over the same store: no measuring, same answer.
    const b = new SelectionPolicy({ store, reps: 2 });
    b.bindTo(ctx.autotuneKey);
    expect((await b.choose(ctx, matmulFamily, { ...shape, M: 28 })).name).toBe(v.name);
    expect(b.decisions[0].why).toBe('cached');
    expect(store.saves).toBe(1);
    // Another adapter or build is another key: measured again.
    const c = new SelectionPolicy({ store, reps: 1 });
    c.bindTo(`${ctx.autotuneKey} (other)`);
    await c.choose(ctx, matmulFamily, shape);
    expect(c.decisions[0].why).toBe('fastest');
  });

  it('a cache that cannot be written costs no run: the choice holds and the failure is said', async () => {
    const ctx = await gpu();
    const lines: string[] = [];
    const broken: AutotuneStore = { where: '/nonexistent/autotune.json', load: async () => ({}), save: async () => { throw new Error('EACCES: permission denied'); } };
    const p = new SelectionPolicy({ store: broken, reps: 1, onProgress: (l) => lines.push(l) });
    expect((await p.choose(ctx, matmulFamily, shape)).name).toBe(p.decisions[0].version);
    expect(lines.some((l) => l.startsWith('autotune: could not save to /nonexistent/autotune.json (EACCES: permission denied)'))).toBe(true);
  });

  it('an unfit version is never timed, and its reason is recorded', async () => {
    const ctx = await gpu();
    const p = new SelectionPolicy({ reps: 1 });
    await p.choose(ctx, matmulFamily, odd);
    expect(p.decisions[0].unfit).toEqual({ v4: 'K=3 is not a multiple of 4', v5: 'K=3 is not a multiple of 4' });
    expect(Object.keys(p.decisions[0].times)).not.toContain('v4');
    expect(Object.keys(p.decisions[0].times)).not.toContain('v5');
  });

  it('a spent budget leaves the rest of the built-in order untimed, and says so', async () => {
    const ctx = await gpu();
    const p = new SelectionPolicy({ budgetMs: 0, reps: 1 });
    expect((await p.choose(ctx, matmulFamily, shape)).name).toBe('v4');
    expect(Object.keys(p.decisions[0].times)).toEqual(['v4']);
    expect(p.decisions[0].untimed).toEqual(['v5', 'v6', 'v3', 'v2', 'v1']);
  });

  it('autotune off takes the first fitting version of the built-in order', async () => {
    const ctx = await gpu();
    const p = new SelectionPolicy({ autotune: false });
    expect((await p.choose(ctx, matmulFamily, shape)).name).toBe('v4');
    expect((await p.choose(ctx, matmulFamily, odd)).name).toBe('v6');
    expect((await p.choose(ctx, matmulFamily, odd)).name).toBe('v6');
    expect(p.decisions.map((d) => d.why)).toEqual(['built-in order', 'built-in order', 'built-in order']);
    expect(p.summary()).toBe('kernels: matmul v4 (built-in order) / v6 (built-in order) [autotune off]');
  });

  it('a forced version is used, and a forced unfit one is one clear error', async () => {
    const ctx = await gpu();
    const p = new SelectionPolicy({ forced: { matmul: 'v4' } });
    expect((await p.choose(ctx, matmulFamily, shape)).name).toBe('v4');
    expect(p.decisions[0].why).toBe('forced');
    await expect(p.choose(ctx, matmulFamily, odd)).rejects.toThrow('--kernels matmul=v4: v4 cannot take [7x3] x [3x5]: K=3 is not a multiple of 4');
  });

  it('ops route through the context policy', async () => {
    const ctx = await gpu();
    const before = ctx.select.decisions.length;
    const d = await matmul(ctx, rand(ctx, [5, 3], 1).t, rand(ctx, [3, 6], 2).t, output(ctx, [5, 6]));
    expect(ctx.select.decisions.length).toBe(before + 1);
    expect(d.kernel).toBe(`matmul.${ctx.select.decisions.at(-1)!.version}`);
  });

  it('a tie goes to the simpler version', () => {
    expect(pickFastest(matmulFamily, { v1: 1.02, v3: 1.0, v4: 2 })).toBe('v1');
    expect(pickFastest(matmulFamily, { v1: 1.2, v3: 1.0, v4: 2 })).toBe('v3');
  });

  it('--kernels parses family=version pairs and names what is wrong', () => {
    expect(parseKernelsFlag('matmul=v3', FAMILIES)).toEqual({ matmul: 'v3' });
    expect(() => parseKernelsFlag('nope=v1', FAMILIES)).toThrow(/unknown family 'nope' \(families: .*matmul/);
    expect(() => parseKernelsFlag('matmul=v9', FAMILIES)).toThrow("--kernels: matmul has no version 'v9' (versions: v1, v2, v3, v4, v5, v6)");
    expect(() => parseKernelsFlag('matmul', FAMILIES)).toThrow("'matmul' is not family=version");
  });
});

describe('families', () => {
  it('every family numbers its versions v1..vN, oldest (the baseline) first, and orders only its own', () => {
    for (const f of FAMILIES) {
      const names = f.versions.map((v) => v.name);
      expect(`${f.name}: ${names.join(' ')}`).toBe(`${f.name}: ${names.map((_, i) => `v${i + 1}`).join(' ')}`);
      const order = typeof f.order === 'function' ? null : f.order;
      for (const n of order ?? []) expect(names, `${f.name} order names ${n}`).toContain(n);
    }
  });
});

describe('kernel contracts', () => {
  it('every family kernel matches its WGSL (uniform fields, bindings, workgroup overrides)', () => {
    const checked = [...registry.values()];
    expect(checked.length).toBeGreaterThan(0);
    for (const d of checked) expect(`${d.name}: ${contractMismatch(d)}`).toBe(`${d.name}: null`);
  });

  it('a contract that disagrees with its WGSL is caught before any dispatch, naming the kernel', async () => {
    const base = { name: 'matmul.v9', file: 'matmul/v1_naive.wgsl', source: v1Source, include: [sizes, operands], entry: 'naive', workgroup: [8, 8] as const };
    const rw = { A: 'read', B: 'read', C: 'read_write' } as const;
    expect(contractMismatch(kernelDef({ ...base, uniforms: ['M', 'K', 'N'], bindings: rw }))).toMatch(/uniform fields \[M, K, N\] but the WGSL struct has \[M, N, K\]/);
    expect(contractMismatch(kernelDef({ ...base, uniforms: ['M', 'N', 'K'], bindings: { ...rw, D: 'read' } }))).toMatch(/binding 'D' is not declared/);
    expect(contractMismatch(kernelDef({ ...base, uniforms: ['M', 'N', 'K'], bindings: { ...rw, C: 'read' } }))).toMatch(/binding 'C' is read in the contract but read_write/);
    expect(contractMismatch(kernelDef({ ...base, workgroup: 64, uniforms: ['M', 'N', 'K'], bindings: rw }))).toMatch(/no 'override WG' for the workgroup size/);
    const ctx = await gpu();
    await expect(ctx.pipelines.get(kernelDef({ ...base, uniforms: ['M', 'K', 'N'], bindings: rw }))).rejects.toThrow(/^kernel matmul.v9: its contract does not match its WGSL/);
  });
});

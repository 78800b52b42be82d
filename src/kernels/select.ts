// The selection policy: which version of a family runs at a shape. Forced (--kernels) beats a
// cached autotune result, which beats measuring now; with autotune off the family's built-in
// order decides. Every decision is recorded with its reason and times for `kernels`, `train`
// and `profile`. A cached choice makes the run deterministic.
import type { GpuContext } from '../gpu/context.js';
import { createTensor, uploadTensor, type Tensor } from '../gpu/buffers.js';
import { uniform } from '../util/rng.js';
import { timeDispatches } from '../gpu/timing.js';
import { preferenceOrder, versionNamed, type AnyFamily, type Family, type Version } from './family.js';

export type Why = 'forced' | 'fastest' | 'cached' | 'only fit' | 'built-in order';

export interface Decision {
  family: string;
  shape: string;
  bucket: string;
  version: string;
  why: Why;
  /** Measured ms per run (minimum of the timed runs), by version. */
  times: Record<string, number>;
  /** Why the other versions could not take the shape. */
  unfit: Record<string, string>;
  /** Versions that fit but were not timed: the autotune budget was spent on the ones before them. */
  untimed?: string[];
}

export interface CachedChoice { version: string; times: Record<string, number> }

/** Where autotune results persist: a JSON file in Node, IndexedDB in the browser, memory in tests. */
export interface AutotuneStore {
  load(key: string): Promise<Record<string, CachedChoice>>;
  save(key: string, entries: Record<string, CachedChoice>): Promise<void>;
  /** Where it lives, for messages. */
  readonly where: string;
}

export function memoryStore(): AutotuneStore {
  const m = new Map<string, Record<string, CachedChoice>>();
  return { where: 'memory', load: async (k) => ({ ...(m.get(k) ?? {}) }), save: async (k, e) => { m.set(k, { ...e }); } };
}

export interface SelectionOptions {
  /** family name -> version name, from --kernels. */
  forced?: Record<string, string>;
  /** Measure versions the first time a shape bucket is met (default); false uses the built-in order. */
  autotune?: boolean;
  store?: AutotuneStore;
  /** Time one decision may spend measuring, beyond one run of each version. */
  budgetMs?: number;
  /** Timed runs per version (the minimum is kept). */
  reps?: number;
  onProgress?: (line: string) => void;
}

/** The serialisable part of a policy (the headless runner sends it to the pages). */
export interface SelectionConfig { forced?: Record<string, string>; autotune?: boolean }

/** Within this fraction of the fastest, the simpler (older) version wins: measurement noise is no reason to switch. */
const TIE = 0.03;

export class SelectionPolicy {
  /** Every choice made, in order (a shape met twice is listed twice). */
  readonly decisions: Decision[] = [];
  private forcedVersions: Record<string, string>;
  private autotuneOn: boolean;
  readonly store: AutotuneStore;
  private entries: Promise<Record<string, CachedChoice>> | null = null;
  private measuring = 0;
  private cacheKey = '';

  constructor(private opts: SelectionOptions = {}) {
    this.forcedVersions = { ...(opts.forced ?? {}) };
    this.autotuneOn = opts.autotune ?? true;
    this.store = opts.store ?? memoryStore();
  }

  get forced(): Readonly<Record<string, string>> {
    return this.forcedVersions;
  }

  get autotune(): boolean {
    return this.autotuneOn;
  }

  /** What a runner asks of a page's policy: versions to force (replacing earlier ones) and autotune on or off. */
  configure(c: SelectionConfig): void {
    this.forcedVersions = { ...(c.forced ?? {}) };
    if (c.autotune !== undefined) this.autotuneOn = c.autotune;
  }

  /** Forces (or, with null, releases) a family's version from now on; graphs already built keep theirs. */
  force(family: string, version: string | null): void {
    if (version === null) delete this.forcedVersions[family];
    else this.forcedVersions[family] = version;
  }

  /** The autotune cache key: the adapter and everything that changes kernel speed. */
  bindTo(key: string): void {
    this.cacheKey = key;
    this.entries = null;
  }

  async choose<S, V extends Version<S>>(ctx: GpuContext, family: Family<S, V>, shape: S): Promise<V> {
    const unfit: Record<string, string> = {};
    for (const v of family.versions) {
      const why = v.unfit(shape, ctx.limits);
      if (why) unfit[v.name] = why;
    }
    const record = (v: V, why: Why, times: Record<string, number> = {}, untimed?: string[]) => {
      const d: Decision = { family: family.name, shape: family.describe(shape), bucket: family.bucket(shape), version: v.name, why, times, unfit, ...(untimed?.length ? { untimed } : {}) };
      // Choices made inside another family's trial (conv2d v1's bias gradient) are not the run's.
      if (!this.measuring) this.decisions.push(d);
      return v;
    };
    const forced = this.forced[family.name];
    if (forced) {
      const v = versionNamed(family, forced);
      if (unfit[v.name]) throw new Error(`--kernels ${family.name}=${v.name}: ${v.name} cannot take ${family.describe(shape)}: ${unfit[v.name]}`);
      return record(v, 'forced');
    }
    const fits = preferenceOrder(family, shape).filter((v) => !unfit[v.name]);
    if (!fits.length) throw new Error(`${family.name}: no version can take ${family.describe(shape)} (${Object.entries(unfit).map(([k, r]) => `${k}: ${r}`).join('; ')})`);
    if (fits.length === 1) return record(fits[0], 'only fit');
    if (!this.autotune) return record(fits[0], 'built-in order');
    const key = `${family.name}|${family.bucket(shape)}`;
    const entries = await this.load();
    const hit = entries[key];
    if (hit && fits.some((v) => v.name === hit.version)) return record(versionNamed(family, hit.version), 'cached', hit.times);
    this.measuring++;
    const untimed: string[] = [];
    const times = await this.measure(ctx, family, shape, fits, untimed).finally(() => this.measuring--);
    const best = pickFastest(family, times);
    entries[key] = { version: best, times };
    // An unwritable cache costs only the next run's measuring, never this run.
    await this.store.save(this.cacheKey, entries).catch((e: Error) => this.opts.onProgress?.(`autotune: could not save to ${this.store.where} (${e.message.split('\n')[0]}); the choice holds for this run`));
    this.opts.onProgress?.(`autotune ${family.name} ${family.describe(shape)}: ${Object.entries(times).map(([k, t]) => `${k} ${t.toFixed(3)} ms`).join(', ')}${untimed.length ? ` (${untimed.join(', ')} not timed: budget spent)` : ''} -> ${best}`);
    return record(versionNamed(family, best), 'fastest', times, untimed);
  }

  private load(): Promise<Record<string, CachedChoice>> {
    this.entries ??= this.store.load(this.cacheKey).catch(() => ({}));
    return this.entries;
  }

  private async measure<S, V extends Version<S>>(ctx: GpuContext, family: Family<S, V>, shape: S, fits: V[], untimed: string[]): Promise<Record<string, number>> {
    const times: Record<string, number> = {};
    const reps = this.opts.reps ?? 5;
    const deadline = performance.now() + (this.opts.budgetMs ?? 3000);
    for (const v of fits) {
      // Past the budget, the rest of the built-in order is not timed (and cannot be chosen).
      if (Object.keys(times).length && performance.now() > deadline) { untimed.push(v.name); continue; }
      const tensors: Tensor[] = [];
      let seed = 1;
      const scratch = {
        rand: (s: readonly number[]) => { const t = uploadTensor(ctx.device, uniform(s.reduce((a, b) => a * b, 1), seed++), s); tensors.push(t); return t; },
        out: (s: readonly number[], dtype: 'f32' | 'u32' = 'f32') => { const t = createTensor(ctx.device, s, dtype); tensors.push(t); return t; },
      };
      try {
        const list = await family.trial(ctx, v, shape, scratch);
        // Versions are tried in the built-in order, so the likely winner sets the pace. The
        // warm-up counts as a run: twice as slow as the leader, more runs cannot make it win.
        const leader = Math.min(Infinity, ...Object.values(times));
        let best = await timeDispatches(ctx, list);
        for (let r = 0; r < reps && best <= 2 * leader && (r === 0 || performance.now() < deadline); r++) best = Math.min(best, await timeDispatches(ctx, list));
        times[v.name] = best;
        for (const d of list) (d as { uniform?: GPUBuffer }).uniform?.destroy();
      } finally {
        for (const t of tensors) t.buffer.destroy();
      }
    }
    return times;
  }

  /** One line: the versions this run uses, e.g. `kernels: conv2d v3 (fastest), matmul v4 (cached)`. */
  summary(): string {
    const byFamily = new Map<string, Set<string>>();
    for (const d of this.decisions) {
      const s = byFamily.get(d.family) ?? new Set();
      s.add(`${d.version} (${d.why})`);
      byFamily.set(d.family, s);
    }
    return `kernels: ${[...byFamily].map(([f, s]) => `${f} ${[...s].join(' / ')}`).join(', ') || 'none chosen'}${this.autotune ? '' : ' [autotune off]'}`;
  }
}

/** The fastest version, unless an older one is within TIE of it. */
export function pickFastest<S, V extends Version<S>>(family: Family<S, V>, times: Record<string, number>): string {
  const names = family.versions.map((v) => v.name).filter((n) => n in times);
  const min = Math.min(...names.map((n) => times[n]));
  return names.find((n) => times[n] <= min * (1 + TIE))!;
}

/** Parses --kernels conv2d=v2,matmul=v3 against the known families; one clear error otherwise. */
export function parseKernelsFlag(spec: string, families: readonly AnyFamily[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z0-9_]+)=(v\d+)$/.exec(part);
    if (!m) throw new Error(`--kernels: '${part}' is not family=version (e.g. conv2d=v2,matmul=v3)`);
    const f = families.find((x) => x.name === m[1]);
    if (!f) throw new Error(`--kernels: unknown family '${m[1]}' (families: ${families.map((x) => x.name).join(', ')})`);
    if (!f.versions.some((v: Version<unknown>) => v.name === m[2])) throw new Error(`--kernels: ${m[1]} has no version '${m[2]}' (versions: ${f.versions.map((v: Version<unknown>) => v.name).join(', ')})`);
    out[m[1]] = m[2];
  }
  return out;
}

import { afterAll, afterEach, expect } from 'vitest';
import { createNodeContext, type NodeContextOptions } from '../../src/gpu/node.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { createTensor, poison, readTensor, readTensorU32, uploadTensor, type Tensor } from '../../src/gpu/buffers.js';
import { run, type Dispatch } from '../../src/gpu/dispatch.js';
import { uniform } from '../../src/util/rng.js';
import { CaseIO, type Case } from '../../src/selftest/io.js';
import { formatFailures } from '../../src/selftest/compare.js';

let ctxPromise: Promise<GpuContext> | null = null;

/**
 * Dawn's robustness for every test context: WEBGPU_CNN_ROBUSTNESS=on|off (default off, as in the
 * CLI), so the suite runs both ways. Read here, never by the engine.
 */
export function testRobustness(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.WEBGPU_CNN_ROBUSTNESS ?? 'off';
  if (v !== 'on' && v !== 'off') throw new Error(`WEBGPU_CNN_ROBUSTNESS must be on or off, got '${v}'`);
  return v === 'on';
}

/** A Node context with the test robustness setting; for files that need their own options. */
export const nodeContext = (opts: NodeContextOptions = {}) => createNodeContext({ robustness: testRobustness(), ...opts });

/**
 * One device per test file, destroyed after the file's tests. WEBGPU_CNN_CHECK_BOUNDS=1 makes it a
 * bounds-checking context (gpu/bounds.ts) and fails any test whose kernels stepped outside a binding:
 * an audit of every test that uses it, beyond test/gpu/bounds.test.ts's case lists.
 */
export function gpu(): Promise<GpuContext> {
  if (!ctxPromise) {
    const checkBounds = process.env.WEBGPU_CNN_CHECK_BOUNDS === '1';
    const p = nodeContext({ checkBounds });
    ctxPromise = p;
    if (checkBounds) afterEach(async () => expect(await (await p).bounds!.read(), 'accesses outside a binding').toEqual([]));
    afterAll(async () => (await p).destroy());
  }
  return ctxPromise;
}

export const rand = (ctx: GpuContext, shape: number[], seed: number): { t: Tensor; v: Float32Array } => {
  const v = uniform(shape.reduce((a, b) => a * b, 1), seed);
  return { t: uploadTensor(ctx.device, v, shape), v };
};

/** An output tensor filled with NaN/0xFFFFFFFF so unwritten elements fail comparisons. */
export function output(ctx: GpuContext, shape: readonly number[], dtype: 'f32' | 'u32' = 'f32'): Tensor {
  const t = createTensor(ctx.device, shape, dtype);
  poison(ctx.device, t);
  return t;
}

export async function exec(ctx: GpuContext, ...ds: Array<Dispatch | Promise<Dispatch>>): Promise<void> {
  await run(ctx, await Promise.all(ds));
}

export const read = (ctx: GpuContext, t: Tensor) => readTensor(ctx.device, t);
export const readU32 = (ctx: GpuContext, t: Tensor) => readTensorU32(ctx.device, t);

/** Runs a shared check (src/kernels/<family>/check.ts, the ones selftest runs); throws on any failure. */
export async function passes(c: Case): Promise<void> {
  const io = new CaseIO(await gpu());
  try {
    const f = await c.run(io);
    if (f.length) throw new Error(formatFailures(f));
  } finally {
    io.destroy();
  }
}

/** it.each rows for shared checks: [`version shape`, case]. */
export const rows = (cases: Case[]) => cases.map((c) => [`${c.name} ${c.shape}`, c] as const);

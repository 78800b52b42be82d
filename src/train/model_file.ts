import { Sequential, type ModelSpec } from '../nn/model.js';
import type { ParamStore } from '../nn/params.js';
import type { OptimizerConfig } from '../optim/optimizer.js';
import { decodeSafetensors, encodeSafetensors, FormatError, type NamedTensor } from './safetensors.js';
import { checkArchitecture, isObject } from '../nn/architecture.js';
import { oneLine, quoted } from '../util/text.js';

export const FORMAT = 'webgpu-cnn/1';

/** The named entries of a flat state: parameters (offsets into the weights), then buffers when `withBuffers`. */
const entries = (store: ParamStore, withBuffers: boolean) => [
  ...store.params.map((p) => ({ p, at: p.offset })), ...(withBuffers ? store.buffers.map((b) => ({ p: b, at: store.size + b.offset })) : []),
];

/**
 * Named tensors (like a PyTorch state dict) from a flat host copy: a model state (parameters,
 * then buffers) with `withBuffers`, an optimizer slot (parameters only) without.
 */
function unflatten(store: ParamStore, flat: Float32Array, prefix = '', withBuffers = true): Record<string, NamedTensor> {
  const want = withBuffers ? store.stateSize : store.size;
  if (flat.length !== want) throw new Error(`${prefix || 'model state'}: ${flat.length} values, the architecture has ${want}`);
  const out: Record<string, NamedTensor> = {};
  for (const { p, at } of entries(store, withBuffers)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    out[prefix + p.name] = { shape: [...p.shape], data: flat.slice(at, at + n) };
  }
  return out;
}

function flatten(store: ParamStore, tensors: Record<string, NamedTensor>, prefix: string, file: string, withBuffers = true): Float32Array {
  const all = entries(store, withBuffers);
  // Every tensor is checked before the flat copy is allocated, so its size is one the file holds.
  for (const { p } of all) {
    const name = prefix + p.name, t = tensors[name];
    if (!t) throw new FormatError(`${file}: tensor ${name} is missing`);
    if (t.shape.join() !== p.shape.join()) throw new FormatError(`${file}: tensor ${name} has shape [${t.shape}], the architecture needs [${p.shape}]`);
    // A NaN or infinity would make every prediction NaN (or a resumed run diverge) with no word of why.
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new FormatError(`${file}: tensor ${name} holds ${t.data[bad]} at index ${bad} (diverged training or a corrupt file)`);
    // So would a negative variance (the square root of variance + eps).
    const neg = p.name.endsWith('.running_var') ? t.data.findIndex((v) => v < 0) : -1;
    if (neg >= 0) throw new FormatError(`${file}: tensor ${name} holds the negative variance ${t.data[neg]} at index ${neg} (a corrupt file)`);
  }
  const flat = new Float32Array(withBuffers ? store.stateSize : store.size);
  for (const { p, at } of all) flat.set(tensors[prefix + p.name].data, at);
  return flat;
}

export interface Checkpoint {
  spec: ModelSpec;
  /** The model's state as ParamStore lays it out on the host: every parameter, then every buffer (running statistics). */
  weights: Float32Array;
  /** Optimizer slots (momentum / Adam m and v), flat like the parameters (no buffers). */
  slots: Float32Array[];
  optimizer: OptimizerConfig;
  epoch: number;
  step: number;
  config: Record<string, unknown>;
}

export function encodeModel(spec: ModelSpec, store: ParamStore, weights: Float32Array, extra: Record<string, string> = {}): Uint8Array {
  return encodeSafetensors(unflatten(store, weights), { format: FORMAT, kind: 'model', architecture: JSON.stringify(spec), ...extra });
}

export function encodeCheckpoint(c: Checkpoint, store: ParamStore): Uint8Array {
  const tensors = unflatten(store, c.weights);
  c.slots.forEach((s, i) => Object.assign(tensors, unflatten(store, s, `optimizer.slot${i}.`, false)));
  return encodeSafetensors(tensors, {
    format: FORMAT, kind: 'checkpoint', architecture: JSON.stringify(c.spec), optimizer: JSON.stringify(c.optimizer),
    epoch: String(c.epoch), step: String(c.step), config: JSON.stringify(c.config),
  });
}

function header(bytes: Uint8Array, file: string) {
  const { tensors, metadata } = decodeSafetensors(bytes, file);
  if (metadata.format !== FORMAT) throw new FormatError(`${file}: not a webgpu-cnn file (format ${metadata.format === undefined ? 'missing' : quoted(metadata.format)})`);
  if (metadata.architecture === undefined) throw new FormatError(`${file}: architecture missing from metadata`);
  let spec: ModelSpec;
  try {
    spec = checkArchitecture(JSON.parse(metadata.architecture));
  } catch (e) {
    throw new FormatError(`${file}: bad architecture in metadata (${oneLine(e)})`);
  }
  return { tensors, metadata, spec };
}

export function decodeModel(bytes: Uint8Array, file: string): { spec: ModelSpec; weights: Float32Array; model: Sequential } {
  const { tensors, spec } = header(bytes, file);
  const model = new Sequential(spec);
  return { spec, model, weights: flatten(model.store, tensors, '', file) };
}

const OPTIMIZERS = ['sgd', 'adam', 'adamw'];

/** The checkpoint-only metadata, each field checked: a resumed run must not start from NaN or a wrong step. */
function trainingState(md: Record<string, string>, file: string) {
  const fail = (why: string): never => { throw new FormatError(`${file}: ${why}`); };
  const json = (key: string, what: string, fallback?: string): Record<string, unknown> => {
    const text = md[key] ?? fallback ?? fail(`${what} missing from metadata`);
    let v: unknown;
    try { v = JSON.parse(text); } catch { fail(`corrupt ${what} in metadata (not valid JSON)`); }
    return isObject(v) ? v : fail(`${what} in metadata is not a JSON object`);
  };
  const count = (key: string): number => {
    const v = md[key];
    if (v === undefined) fail(`${key} missing from metadata`);
    if (!/^\d{1,15}$/.test(v)) fail(`${key} ${quoted(v)} in metadata is not a non-negative integer`);
    return Number(v);
  };
  const opt = json('optimizer', 'optimizer settings');
  if (typeof opt.type !== 'string' || !OPTIMIZERS.includes(opt.type)) fail(`unknown optimizer ${quoted(opt.type)} in metadata (expected ${OPTIMIZERS.join(', ')})`);
  if (typeof opt.lr !== 'number' || !(opt.lr > 0) || !Number.isFinite(opt.lr)) fail(`optimizer learning rate ${quoted(opt.lr)} in metadata is not a positive number`);
  for (const k of ['momentum', 'weightDecay', 'beta1', 'beta2', 'eps']) {
    if (opt[k] !== undefined && !(typeof opt[k] === 'number' && Number.isFinite(opt[k]))) fail(`optimizer ${k} ${quoted(opt[k])} in metadata is not a number`);
  }
  if (opt.eps !== undefined && !((opt.eps as number) > 0)) fail(`optimizer eps ${quoted(opt.eps)} in metadata is not a number > 0 (Adam divides by it)`);
  if (opt.nesterov !== undefined && typeof opt.nesterov !== 'boolean') fail(`optimizer nesterov ${quoted(opt.nesterov)} in metadata is not true or false`);
  return { optimizer: opt as unknown as OptimizerConfig, epoch: count('epoch'), step: count('step'), config: json('config', 'training config', '{}') };
}

export function decodeCheckpoint(bytes: Uint8Array, file: string): Checkpoint {
  const { tensors, metadata, spec } = header(bytes, file);
  if (metadata.kind !== 'checkpoint') throw new FormatError(`${file}: a model file, not a checkpoint (it has no optimizer state)`);
  const state = trainingState(metadata, file);
  const model = new Sequential(spec);
  const slots = [0, 1].filter((i) => `optimizer.slot${i}.${model.store.params[0]?.name}` in tensors).map((i) => flatten(model.store, tensors, `optimizer.slot${i}.`, file, false));
  return { spec, weights: flatten(model.store, tensors, '', file), slots, ...state };
}

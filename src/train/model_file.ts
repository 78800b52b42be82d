import { checkShapes, Sequential, type ModelSpec } from '../nn/model.js';
import type { ParamStore } from '../nn/params.js';
import type { OptimizerConfig } from '../optim/optimizer.js';
import { decodeSafetensors, encodeSafetensors, FormatError, type NamedTensor } from './safetensors.js';

export const FORMAT = 'webgpu-cnn/1';

/** Per-parameter tensors (named like a PyTorch state dict) from a flat host copy of a buffer. */
function unflatten(store: ParamStore, flat: Float32Array, prefix = ''): Record<string, NamedTensor> {
  const out: Record<string, NamedTensor> = {};
  for (const p of store.params) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    out[prefix + p.name] = { shape: [...p.shape], data: flat.slice(p.offset, p.offset + n) };
  }
  return out;
}

function flatten(store: ParamStore, tensors: Record<string, NamedTensor>, prefix: string, file: string): Float32Array {
  const flat = new Float32Array(store.size);
  for (const p of store.params) {
    const t = tensors[prefix + p.name];
    if (!t) throw new FormatError(`${file}: tensor ${prefix + p.name} is missing`);
    if (t.shape.join() !== p.shape.join()) throw new FormatError(`${file}: tensor ${prefix + p.name} has shape [${t.shape}], the architecture needs [${p.shape}]`);
    flat.set(t.data, p.offset);
  }
  return flat;
}

export interface Checkpoint {
  spec: ModelSpec;
  weights: Float32Array;
  /** Optimizer slots (momentum / Adam m and v), flat like the weights. */
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
  c.slots.forEach((s, i) => Object.assign(tensors, unflatten(store, s, `optimizer.slot${i}.`)));
  return encodeSafetensors(tensors, {
    format: FORMAT, kind: 'checkpoint', architecture: JSON.stringify(c.spec), optimizer: JSON.stringify(c.optimizer),
    epoch: String(c.epoch), step: String(c.step), config: JSON.stringify(c.config),
  });
}

function header(bytes: Uint8Array, file: string) {
  const { tensors, metadata } = decodeSafetensors(bytes, file);
  if (metadata.format !== FORMAT) throw new FormatError(`${file}: not a webgpu-cnn file (format ${metadata.format ?? 'missing'})`);
  let spec: ModelSpec;
  try {
    spec = JSON.parse(metadata.architecture);
    checkShapes(spec);
  } catch (e) {
    throw new FormatError(`${file}: bad architecture in metadata (${(e as Error).message})`);
  }
  return { tensors, metadata, spec };
}

export function decodeModel(bytes: Uint8Array, file: string): { spec: ModelSpec; weights: Float32Array; model: Sequential } {
  const { tensors, spec } = header(bytes, file);
  const model = new Sequential(spec);
  return { spec, model, weights: flatten(model.store, tensors, '', file) };
}

export function decodeCheckpoint(bytes: Uint8Array, file: string): Checkpoint {
  const { tensors, metadata, spec } = header(bytes, file);
  if (metadata.kind !== 'checkpoint') throw new FormatError(`${file}: a model file, not a checkpoint (it has no optimizer state)`);
  const model = new Sequential(spec);
  // Counts from the metadata must be whole numbers: Number('abc') is NaN and Number('') is 0.
  const count = (k: 'epoch' | 'step'): number => {
    if (!/^\d{1,15}$/.test(metadata[k] ?? '')) throw new FormatError(`${file}: bad ${k} '${metadata[k] ?? ''}' in the checkpoint metadata (not a whole number)`);
    return Number(metadata[k]);
  };
  const [epoch, step] = [count('epoch'), count('step')];
  const slots = [0, 1].filter((i) => `optimizer.slot${i}.${model.store.params[0]?.name}` in tensors).map((i) => flatten(model.store, tensors, `optimizer.slot${i}.`, file));
  return {
    spec, weights: flatten(model.store, tensors, '', file), slots,
    optimizer: JSON.parse(metadata.optimizer), epoch, step, config: JSON.parse(metadata.config ?? '{}'),
  };
}

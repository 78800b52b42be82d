import { Var, type Graph } from '../autograd/graph.js';
import * as F from '../autograd/ops.js';
import type { KernelDispatch } from '../kernels/contract.js';
import type { Conv2dPlan } from '../kernels/conv2d/family.js';
import type { Param, ParamStore } from './params.js';

/** The serialisable description of one layer; a model is an array of these. */
export type LayerSpec =
  | { type: 'conv2d'; in: number; out: number; kernel: number; stride?: number; padding?: number }
  | { type: 'linear'; in: number; out: number }
  | { type: 'maxpool2d' | 'avgpool2d'; kernel: number; stride?: number; padding?: number }
  | { type: 'relu' }
  | { type: 'flatten' }
  | { type: 'dropout'; rate: number }
  /** channels: the layer before's when omitted; momentum (default 0.1) and eps (1e-5) as in PyTorch. */
  | { type: 'batchnorm2d' | 'batchnorm1d'; channels?: number; momentum?: number; eps?: number }
  | { type: 'globalavgpool2d' };

export interface ForwardState {
  training: boolean;
  /** Dropout dispatches whose seed the trainer rewrites each step (set('seed', ...)). */
  dropouts: KernelDispatch[];
  seed: number;
}

export interface Layer {
  spec: LayerSpec;
  /**
   * Makes the layer's plan in g ahead of forward(), for an input of `xShape` that needs a gradient
   * or not, so g's scratch arena knows every layer's need first.
   */
  plan?(g: Graph, xShape: readonly number[], xGrad: boolean): Promise<void>;
  forward(g: Graph, x: Var, s: ForwardState): Promise<Var>;
}

const paramVar = (store: ParamStore, p: Param) => new Var(store.weight(p), true, null, null, store.grad(p));

/**
 * Layer types that apply a ReLU right after them themselves (Sequential groups the pair; the
 * relu layer then runs nothing). Fusion is an execution detail: specs, parameter names and files
 * are the same either way.
 */
export const FUSES_RELU: ReadonlySet<LayerSpec['type']> = new Set(['conv2d', 'linear']);
/** Layer types that apply a ReLU right before them themselves, where the layer before that does not. */
export const FUSES_RELU_BEFORE: ReadonlySet<LayerSpec['type']> = new Set(['maxpool2d']);

/** A relu layer whose ReLU a neighbouring layer applies. */
export function fusedRelu(spec: LayerSpec): Layer {
  return { spec, forward: async (_g, x) => x };
}

/**
 * He init for layers feeding a ReLU, Glorot for the rest (the classifier). `relu`: the layer also
 * applies the ReLU that follows it (a type in FUSES_RELU) or, for a max pool, the one before it.
 * `inShape`: the layer's input per image, where a layer takes its size from the layer before
 * (batchnorm's channels).
 */
export function buildLayer(spec: LayerSpec, store: ParamStore, name: string, feedsRelu = true, relu = false, inShape?: readonly number[]): Layer {
  if (relu && !FUSES_RELU.has(spec.type) && !FUSES_RELU_BEFORE.has(spec.type)) throw new Error(`${name}: a ${spec.type} layer cannot apply a ReLU`);
  switch (spec.type) {
    case 'conv2d': {
      const fanIn = spec.in * spec.kernel * spec.kernel;
      const fanOut = spec.out * spec.kernel * spec.kernel;
      const init = feedsRelu ? { kind: 'he' as const, fanIn } : { kind: 'glorot' as const, fanIn, fanOut };
      const w = store.add(`${name}.weight`, [spec.out, spec.in, spec.kernel, spec.kernel], init);
      const b = store.add(`${name}.bias`, [spec.out], { kind: 'zeros' });
      const args = { stride: spec.stride ?? 1, padding: spec.padding ?? 0, relu };
      const plans = new WeakMap<Graph, Conv2dPlan>();
      return {
        spec,
        plan: async (g, xShape, xGrad) => { plans.set(g, await F.planConv2dLayer(g, xShape, w.shape, args, { dx: xGrad })); },
        forward: async (g, x) => {
          const plan = plans.get(g);
          plans.delete(g);
          // With `relu` the layer's plan applies the ReLU (every conv2d version can).
          return F.conv2d(g, x, paramVar(store, w), paramVar(store, b), args, plan);
        },
      };
    }
    case 'linear': {
      const init = feedsRelu ? { kind: 'he' as const, fanIn: spec.in } : { kind: 'glorot' as const, fanIn: spec.in, fanOut: spec.out };
      const w = store.add(`${name}.weight`, [spec.out, spec.in], init);
      const b = store.add(`${name}.bias`, [spec.out], { kind: 'zeros' });
      return { spec, forward: (g, x) => F.fusedLinear(g, x, paramVar(store, w), paramVar(store, b), { relu }) };
    }
    case 'maxpool2d':
    case 'avgpool2d': {
      const args = { kernel: spec.kernel, stride: spec.stride ?? spec.kernel, padding: spec.padding ?? 0, ...(relu ? { relu } : {}) };
      const f = spec.type === 'maxpool2d' ? F.maxPool2d : F.avgPool2d;
      return { spec, forward: (g, x) => f(g, x, args) };
    }
    case 'relu':
      return { spec, forward: (g, x) => F.relu(g, x) };
    case 'flatten':
      return { spec, forward: async (_g, x) => F.reshape(x, [x.shape[0], x.shape.slice(1).reduce((a, b) => a * b, 1)]) };
    case 'batchnorm2d':
    case 'batchnorm1d': {
      const C = spec.channels ?? inShape?.[0];
      if (C === undefined) throw new Error(`${name}: channels not given and no input shape to take them from`);
      // Names end in .weight/.bias like PyTorch's; the layer type in them marks normalisation parameters.
      const gamma = store.add(`${name}.weight`, [C], { kind: 'ones' }), beta = store.add(`${name}.bias`, [C], { kind: 'zeros' });
      const mean = store.addBuffer(`${name}.running_mean`, [C], { kind: 'zeros' }), variance = store.addBuffer(`${name}.running_var`, [C], { kind: 'ones' });
      const opts = { momentum: spec.momentum, eps: spec.eps };
      return { spec, forward: (g, x) => F.batchNorm(g, x, paramVar(store, gamma), paramVar(store, beta), { mean: store.buffer(mean), variance: store.buffer(variance) }, opts) };
    }
    case 'globalavgpool2d':
      return { spec, forward: (g, x) => F.globalAvgPool2d(g, x) };
    case 'dropout':
      return {
        spec,
        forward: async (g, x, s) => {
          if (!s.training || spec.rate === 0) return x;
          const { out, fwd } = await F.dropout(g, x, spec.rate, s.seed + s.dropouts.length);
          s.dropouts.push(fwd);
          return out;
        },
      };
    default:
      throw new Error(`unknown layer type ${(spec as { type: string }).type}`);
  }
}

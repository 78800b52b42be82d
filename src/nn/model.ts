import type { Graph, Var } from '../autograd/graph.js';
import { buildLayer, FUSES_RELU, FUSES_RELU_BEFORE, fusedRelu, type ForwardState, type Layer, type LayerSpec } from './layers.js';
import { ParamStore } from './params.js';

export interface ModelSpec {
  name: string;
  input: [number, number, number];
  classes: number;
  layers: LayerSpec[];
}

/** A Sequential stack over one ParamStore. */
export class Sequential {
  readonly store = new ParamStore();
  readonly layers: Layer[];

  constructor(readonly spec: ModelSpec) {
    // A layer that can apply the ReLU after it does (one pass fewer each way), else a max pool
    // after that ReLU applies it; that relu runs nothing.
    const shapes = layerShapes(spec); // a bad architecture fails here, with the layer named
    const L = spec.layers;
    const after = (i: number) => FUSES_RELU.has(L[i]?.type) && L[i + 1]?.type === 'relu';
    const before = (i: number) => FUSES_RELU_BEFORE.has(L[i]?.type) && L[i - 1]?.type === 'relu' && !after(i - 2);
    this.layers = L.map((l, i) => (after(i - 1) || before(i + 1) ? fusedRelu(l)
      : buildLayer(l, this.store, `${i}.${l.type}`, L[i + 1]?.type === 'relu', after(i) || before(i), i ? shapes[i - 1] : spec.input)));
  }

  /** Every layer's plan first (their scratch declared: one arena buffer per region and lane), then the forward. */
  async forward(g: Graph, x: Var, s: ForwardState): Promise<Var> {
    const shapes = layerShapes(this.spec), N = x.shape[0];
    let grad = x.requiresGrad; // whether layer i's input needs a gradient: from the first layer with parameters on
    for (const [i, l] of this.layers.entries()) {
      await l.plan?.(g, [N, ...(i ? shapes[i - 1] : this.spec.input)], grad);
      grad ||= ['conv2d', 'linear', 'batchnorm2d', 'batchnorm1d'].includes(l.spec.type);
    }
    let h = x;
    for (const l of this.layers) h = await l.forward(g, h, s);
    return h;
  }
}

/** Walks the spec's shapes once so a bad architecture fails at construction with the layer named. */
export function checkShapes(spec: ModelSpec): void {
  layerShapes(spec);
}

/** Each layer's output shape per image ([C, H, W] or [features]); throws naming a layer that does not fit. */
export function layerShapes(spec: ModelSpec): number[][] {
  let shape: number[] = [...spec.input];
  const out: number[][] = [];
  spec.layers.forEach((l, i) => {
    const where = `layer ${i} (${l.type})`;
    const [c, h, w] = shape;
    switch (l.type) {
      case 'conv2d': {
        if (shape.length !== 3 || c !== l.in) throw new Error(`${where}: expects ${l.in} channels, gets [${shape.join(', ')}]`);
        const p = l.padding ?? 0, s = l.stride ?? 1;
        shape = [l.out, Math.floor((h + 2 * p - l.kernel) / s) + 1, Math.floor((w + 2 * p - l.kernel) / s) + 1];
        break;
      }
      case 'maxpool2d':
      case 'avgpool2d': {
        if (shape.length !== 3) throw new Error(`${where}: needs a [C, H, W] input`);
        const p = l.padding ?? 0, s = l.stride ?? l.kernel;
        shape = [c, Math.floor((h + 2 * p - l.kernel) / s) + 1, Math.floor((w + 2 * p - l.kernel) / s) + 1];
        break;
      }
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'batchnorm2d':
      case 'batchnorm1d': {
        const rank = l.type === 'batchnorm2d' ? 3 : 1;
        if (shape.length !== rank) throw new Error(`${where}: needs a ${rank === 3 ? '[C, H, W]' : '[features]'} input, gets [${shape.join(', ')}]`);
        if (l.channels !== undefined && l.channels !== c) throw new Error(`${where}: has ${l.channels} channels, but the layer before gives ${c}`);
        break;
      }
      case 'globalavgpool2d':
        if (shape.length !== 3) throw new Error(`${where}: needs a [C, H, W] input, gets [${shape.join(', ')}]`);
        shape = [c];
        break;
      case 'linear':
        if (shape.length !== 1 || shape[0] !== l.in) throw new Error(`${where}: expects ${l.in} features, gets [${shape.join(', ')}]`);
        shape = [l.out];
        break;
    }
    if (shape.some((d) => !(d >= 1))) throw new Error(`${where}: output shape [${shape.join(', ')}] is empty`);
    out.push(shape);
  });
  if (shape.length !== 1 || shape[0] !== spec.classes) throw new Error(`model ${spec.name}: ends in [${shape.join(', ')}], expected [${spec.classes}]`);
  return out;
}

/**
 * GPU bytes an evaluation graph holds per image: every layer's output plus the largest scratch a
 * convolution version may need (the im2col matrix, taps x output pixels), which all layers share.
 */
export function evalBytesPerImage(spec: ModelSpec): number {
  const shapes = layerShapes(spec);
  let elems = spec.input.reduce((a, b) => a * b, 1), scratch = 0;
  shapes.forEach((sh, i) => {
    const l = spec.layers[i];
    const n = sh.reduce((a, b) => a * b, 1);
    elems += n;
    if (l.type === 'conv2d') scratch = Math.max(scratch, (l.in * l.kernel * l.kernel + 1) * (n / l.out));
  });
  return 4 * (elems + scratch);
}

/** The evaluation batch: at most `max`, and small enough that the graph stays within `budgetBytes`. */
export function evalBatch(spec: ModelSpec, budgetBytes = 256 << 20, max = 500): number {
  return Math.max(1, Math.min(max, Math.floor(budgetBytes / evalBytesPerImage(spec))));
}

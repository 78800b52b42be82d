// What a conv2d version is: a whole layer. plan() fixes the geometry and declares the scratch; the
// plan then records the forward and, from the output gradient, the three backward passes. The
// plan keeps x, w and y from its forward (v3 keeps its im2col matrix instead), so the backward
// entry points take only their destinations. Scratch that dies with one of the layer's passes
// comes from the graph's arena where one is given (src/gpu/arena.ts), else it is private (from
// `alloc`). With geom.relu the layer is y = max(conv + b, 0) and packGrad takes the gradient of
// that y: a version that does not fuse it gets the activation family's passes around its own.
import { biasGrad } from '../bias/family.js';
import { reluBackward, reluForward } from '../activation/family.js';
import type { GpuContext } from '../../gpu/context.js';
import type { Tensor } from '../../gpu/buffers.js';
import { layerScratch, type Scratch, type ScratchArena } from '../../gpu/arena.js';
import type { Dispatch } from '../../gpu/dispatch.js';
import type { Alloc, Limits, Version } from '../family.js';
import { expectShape } from '../shapes.js';
import { wShape, xShape, yShape, type Conv2dGeom } from './geometry.js';

/** Which gradients a backward computes (or a plan can add into an existing gradient). */
export interface Grads { dx: boolean; dw: boolean; db: boolean }
export interface AccumulateOpt { accumulate?: boolean }

export interface Conv2dPlan {
  readonly geom: Conv2dGeom;
  /** The gradients this version can add into their destination; the others overwrite it. */
  readonly accumulates: Readonly<Grads>;
  /** y = conv(x, w) + b, or max(that, 0) with geom.relu. */
  forward(x: Tensor, w: Tensor, b: Tensor, y: Tensor): Promise<Dispatch[]>;
  /**
   * Takes dy (with geom.relu, the gradient of the ReLU's output) for the gradients in `want`
   * (default all); records what they share (v3: packed dy and the weight GEMM). A version may
   * compute several gradients in one pass (v4: weight and bias): that pass comes with the last
   * of them that `want` names.
   */
  packGrad(dy: Tensor, want?: Partial<Grads>): Promise<Dispatch[]>;
  backwardInput(dx: Tensor, opts?: AccumulateOpt): Promise<Dispatch[]>;
  backwardWeight(dw: Tensor, opts?: AccumulateOpt): Promise<Dispatch[]>;
  backwardBias(db: Tensor, opts?: AccumulateOpt): Promise<Dispatch[]>;
}

/** Where a plan's scratch comes from, and which gradients its backward will be asked for. */
export interface PlanOptions {
  /** The graph's arena for what the layer needs only during one pass (src/gpu/arena.ts); without one, that is private too. */
  arena?: ScratchArena;
  /** The gradients packGrad may ask for (default all): scratch that only the others need is not declared. */
  grads?: Partial<Grads>;
}

export interface Conv2dVersion extends Version<Conv2dGeom> {
  /** A plan for one layer at `shape`; throws `conv2d.vN: reason` where the version is unfit. `alloc` makes what the layer keeps. */
  plan(ctx: GpuContext, shape: Conv2dGeom, alloc: Alloc, opts?: PlanOptions): Conv2dPlan;
}

/** Throws the version's reason where it cannot take the shape. */
export function fitOrThrow(v: Version<Conv2dGeom>, shape: Conv2dGeom, limits: Limits): void {
  const why = v.unfit(shape, limits);
  if (why) throw new Error(`conv2d.${v.name}: ${why}`);
}

const NAMES = { dx: 'input', dw: 'weight', db: 'bias' } as const;
/** The arena lane of the ReLU's tensors: past every version's own lanes, so no pass binds one buffer read-only and writable. */
const RELU_LANE = 2;

/** Shape checks, the recorded tensors and the accumulate guard every version shares. */
export abstract class BasePlan implements Conv2dPlan {
  protected x?: Tensor;
  protected w?: Tensor;
  protected y?: Tensor;
  protected dy?: Tensor;
  private want: Grads | null = null;
  protected arena?: ScratchArena;
  /** The gradients this plan was made for. */
  readonly planned: Readonly<Grads>;
  /** Where the conv writes before the ReLU (forward region) and the masked dy (backward region), for a version that does not fuse the ReLU. */
  private relu?: { fwd: Scratch<'z'>; bwd?: Scratch<'dym'> };

  /** `fusesRelu`: the version's own passes apply geom.relu (else the activation family's passes do). */
  constructor(readonly version: string, protected ctx: GpuContext, readonly geom: Conv2dGeom, protected alloc: Alloc, readonly accumulates: Readonly<Grads>, opts: PlanOptions = {}, fusesRelu = false) {
    this.arena = opts.arena;
    this.planned = { dx: opts.grads?.dx ?? true, dw: opts.grads?.dw ?? true, db: opts.grads?.db ?? true };
    if (geom.relu && !fusesRelu) {
      const lane = (name: string) => [...Array(RELU_LANE).fill({}), { [name]: yShape(geom) }];
      this.relu = { fwd: layerScratch(alloc, this.arena, 'forward', lane('z')) };
      if (!geom.forwardOnly) this.relu.bwd = layerScratch(alloc, this.arena, 'backward', lane('dym'));
    }
  }

  protected abstract encodeForward(x: Tensor, w: Tensor, b: Tensor, y: Tensor): Promise<Dispatch[]>;
  protected abstract encodePackGrad(dy: Tensor, want: Grads): Promise<Dispatch[]>;
  protected abstract encodeInput(dx: Tensor, accumulate: boolean): Promise<Dispatch[]>;
  protected abstract encodeWeight(dw: Tensor, accumulate: boolean): Promise<Dispatch[]>;
  protected abstract encodeBias(db: Tensor, accumulate: boolean): Promise<Dispatch[]>;

  forward(x: Tensor, w: Tensor, b: Tensor, y: Tensor): Promise<Dispatch[]> {
    const g = this.geom;
    expectShape('conv2d input', x, xShape(g));
    expectShape('conv2d weight', w, wShape(g));
    expectShape('conv2d bias', b, [g.K]);
    expectShape('conv2d output', y, yShape(g));
    this.x = x;
    this.w = w;
    this.y = y;
    return this.relu ? this.convThenRelu(x, w, b, y, this.relu.fwd.get('z')) : this.encodeForward(x, w, b, y);
  }

  private async convThenRelu(x: Tensor, w: Tensor, b: Tensor, y: Tensor, z: Tensor): Promise<Dispatch[]> {
    return [...(await this.encodeForward(x, w, b, z)), await reluForward(this.ctx, z, y)];
  }

  packGrad(dy: Tensor, want: Partial<Grads> = {}): Promise<Dispatch[]> {
    expectShape('conv2d grad output', dy, yShape(this.geom));
    if (!this.x) throw new Error(`conv2d.${this.version}: forward must come before packGrad`);
    const all = { dx: want.dx ?? true, dw: want.dw ?? true, db: want.db ?? true };
    for (const k of ['dx', 'dw', 'db'] as const) if (all[k] && !this.planned[k]) throw new Error(`conv2d.${this.version}: planned without the ${NAMES[k]} gradient`);
    this.want = all;
    if (!this.relu) {
      this.dy = dy;
      return this.encodePackGrad(dy, all);
    }
    if (!this.relu.bwd) throw new Error(`conv2d.${this.version}: planned for a forward-only graph`);
    this.dy = this.relu.bwd.get('dym');
    return this.maskThenPack(dy, this.dy, all);
  }

  /** dym = dy * (y > 0) (y > 0 exactly where the conv's output was), then the version's packGrad on dym. */
  private async maskThenPack(dy: Tensor, dym: Tensor, want: Grads): Promise<Dispatch[]> {
    return [await reluBackward(this.ctx, this.y!, dy, dym), ...(await this.encodePackGrad(dym, want))];
  }

  backwardInput(dx: Tensor, opts: AccumulateOpt = {}): Promise<Dispatch[]> {
    expectShape('conv2d grad input', dx, xShape(this.geom));
    return this.encodeInput(dx, this.guard('dx', opts));
  }

  backwardWeight(dw: Tensor, opts: AccumulateOpt = {}): Promise<Dispatch[]> {
    expectShape('conv2d grad weight', dw, wShape(this.geom));
    return this.encodeWeight(dw, this.guard('dw', opts));
  }

  backwardBias(db: Tensor, opts: AccumulateOpt = {}): Promise<Dispatch[]> {
    expectShape('conv2d grad bias', db, [this.geom.K]);
    return this.encodeBias(db, this.guard('db', opts));
  }

  private guard(which: keyof Grads, opts: AccumulateOpt): boolean {
    const name = `conv2d.${this.version}`;
    if (!this.want?.[which]) throw new Error(`${name}: packGrad must come first and include the ${NAMES[which]} gradient`);
    if (opts.accumulate && !this.accumulates[which]) throw new Error(`${name}: its ${NAMES[which]} gradient cannot accumulate (write a temporary and add it)`);
    return Boolean(opts.accumulate);
  }

  /** The tensors recorded by forward and packGrad (both ran: guard checked packGrad, packGrad checked forward). */
  protected get recorded(): { x: Tensor; w: Tensor; y: Tensor; dy: Tensor } {
    return { x: this.x!, w: this.w!, y: this.y!, dy: this.dy! };
  }

  /** The gradients the last packGrad asked for. */
  protected get wanted(): Readonly<Grads> {
    return this.want!;
  }
}

/** db (+)= the bias family's per-channel sum of dy (v1 and v2; v3 folds the bias into its GEMM). */
export function biasGradient(ctx: GpuContext, dy: Tensor, db: Tensor, accumulate: boolean): Promise<Dispatch> {
  return biasGrad(ctx, dy, db, { accumulate });
}

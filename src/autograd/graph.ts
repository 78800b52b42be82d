import type { GpuContext } from '../gpu/context.js';
import { createTensor, type Tensor } from '../gpu/buffers.js';
import { ScratchArena } from '../gpu/arena.js';
import type { Dispatch } from '../gpu/dispatch.js';
import { axpy } from '../kernels/elementwise/family.js';

/** A node of the tape: the op that produced a Var, and how to push its gradient to the inputs. */
export interface Node {
  name: string;
  inputs: Var[];
  backward: (g: Graph) => Promise<void>;
}

export class Var {
  /** Set by the Graph when the gradient buffer is first needed. */
  grad: Tensor | null = null;
  /**
   * Set by an op whose output is a ReLU's (a dense layer with its ReLU fused): the output itself,
   * whose > 0 is the ReLU's backward mask. A kernel that contributes to this Var's gradient and
   * can apply the mask as it stores does (Graph.contribute), so the op reads the gradient of the
   * ReLU's input without masking it again (Graph.gradMasked).
   */
  gradMask: Tensor | null = null;
  constructor(
    readonly t: Tensor,
    readonly requiresGrad: boolean,
    readonly node: Node | null = null,
    /** Reshapes share storage (and gradient storage) with their base. */
    readonly viewOf: Var | null = null,
    /** Parameter gradients live in the flat grad buffer, cleared once per step, so they always accumulate. */
    readonly paramGrad: Tensor | null = null,
  ) {}
  get shape(): readonly number[] {
    return this.t.shape;
  }
}

/**
 * Records forward dispatches as ops are applied, then the backward dispatches in reverse
 * topological order. Built once for a fixed batch size; the lists are replayed every step.
 */
export class Graph {
  readonly forward: Dispatch[] = [];
  readonly backwardList: Dispatch[] = [];
  readonly tensors: Tensor[] = [];
  private written = new Set<Var>();
  /** Vars with a gradMask whose gradient got a contribution that did not apply it. */
  private unmasked = new Set<Var>();
  /** Scratch that layers share (src/gpu/arena.ts); its buffers are the graph's, freed with it. */
  readonly scratch: ScratchArena;

  /** `training` false: a forward-only graph (evaluation); kernel choices time only the forward. */
  constructor(readonly ctx: GpuContext, readonly training = true) {
    this.scratch = new ScratchArena(ctx.limits.maxBufferSize, (bytes) => this.alloc([bytes / 4]).buffer);
  }

  /** A tensor that lives as long as the graph. */
  alloc(shape: readonly number[], dtype: 'f32' | 'u32' = 'f32'): Tensor {
    const t = createTensor(this.ctx.device, shape, dtype);
    this.tensors.push(t);
    return t;
  }

  input(t: Tensor, requiresGrad = false): Var {
    return new Var(t, requiresGrad);
  }

  gradOf(v: Var): Tensor {
    if (v.paramGrad) return v.paramGrad;
    if (!v.grad) v.grad = v.viewOf ? { ...this.gradOf(v.viewOf), shape: v.t.shape } : this.alloc(v.t.shape);
    return v.grad;
  }

  private base(v: Var): Var {
    return v.viewOf ? this.base(v.viewOf) : v;
  }

  /**
   * Adds a gradient contribution into v. `make(dst, accumulate, mask)` builds the kernel; kernels
   * that can add into their output get accumulate=true once v already holds a gradient, the others
   * write into a temporary that is then added with axpy. A kernel that `canMask` gets v.gradMask
   * as `mask` and must zero its result where mask <= 0.
   */
  async contribute(v: Var, canAccumulate: boolean, make: (dst: Tensor, accumulate: boolean, mask?: Tensor) => Promise<Dispatch | Dispatch[]>, canMask = false): Promise<void> {
    if (!v.requiresGrad) return;
    const b = this.base(v);
    const already = v.paramGrad !== null || this.written.has(b);
    // Only v's own mask: a view's contribution is unmasked (its base keeps the mask's shape).
    const mask = canMask && v.gradMask ? v.gradMask : undefined;
    if (b.gradMask && !mask) this.unmasked.add(b);
    if (!already || canAccumulate) {
      this.backwardList.push(...[await make(this.gradOf(v), already, mask)].flat());
    } else {
      const tmp = this.alloc(v.t.shape);
      this.backwardList.push(...[await make(tmp, false, mask)].flat());
      this.backwardList.push(await axpy(this.ctx, 1, tmp, this.gradOf(v)));
    }
    this.written.add(b);
  }

  /**
   * One kernel's contributions to several gradients (a dense layer's dW and db): `dsts[i]` is null
   * where vs[i] needs none. The kernel adds into all of them or none, so where some already hold a
   * gradient and some do not, those that do get a temporary that is then added with axpy.
   */
  async contributeAll(vs: Var[], make: (dsts: Array<Tensor | null>, accumulate: boolean) => Promise<Dispatch | Dispatch[]>): Promise<void> {
    const live = vs.filter((v) => v.requiresGrad);
    if (!live.length) return;
    const has = (v: Var) => v.paramGrad !== null || this.written.has(this.base(v));
    const all = live.every(has);
    const temp = vs.map((v) => v.requiresGrad && !all && has(v));
    const dsts = vs.map((v, i) => (!v.requiresGrad ? null : temp[i] ? this.alloc(v.t.shape) : this.gradOf(v)));
    this.backwardList.push(...[await make(dsts, all)].flat());
    for (const [i, v] of vs.entries()) if (temp[i]) this.backwardList.push(await axpy(this.ctx, 1, dsts[i]!, this.gradOf(v)));
    for (const v of live) {
      const b = this.base(v);
      if (b.gradMask) this.unmasked.add(b);
      this.written.add(b);
    }
  }

  /** Whether every contribution to v's gradient applied v.gradMask: it holds the gradient of the ReLU's input. */
  gradMasked(v: Var): boolean {
    const b = this.base(v);
    return b.gradMask !== null && this.written.has(b) && !this.unmasked.has(b);
  }

  /** Marks v's gradient as written by a fused forward (softmax + cross-entropy) or by the caller; never masked. */
  seeded(v: Var): void {
    const b = this.base(v);
    if (b.gradMask) this.unmasked.add(b);
    this.written.add(b);
  }

  /** Appends the backward pass from `root` (whose gradient must already be seeded). */
  async backward(root: Var): Promise<void> {
    if (!this.written.has(this.base(root))) throw new Error('backward: the root has no gradient; seed it first');
    // Iterative post-order DFS: inputs before the node that consumes them.
    const order: Var[] = [];
    const seen = new Set<Var>();
    const stack: Array<[Var, boolean]> = [[root, false]];
    while (stack.length) {
      const [v, done] = stack.pop()!;
      if (done) { order.push(v); continue; }
      if (seen.has(v)) continue;
      seen.add(v);
      stack.push([v, true]);
      for (const u of v.node?.inputs ?? []) if (u.requiresGrad && !seen.has(u)) stack.push([u, false]);
    }
    for (let i = order.length - 1; i >= 0; i--) {
      const v = order[i];
      if (v.node && this.written.has(this.base(v))) await v.node.backward(this);
    }
  }

  destroy(): void {
    for (const t of this.tensors) t.buffer.destroy();
    for (const d of [...this.forward, ...this.backwardList]) (d as { uniform?: GPUBuffer }).uniform?.destroy();
    this.tensors.length = 0;
  }
}

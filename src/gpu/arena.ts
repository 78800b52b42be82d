// Scratch shared across layers. A layer plan declares, when it is made, the tensors it needs only
// for a while, by region: 'forward' (in a forward-only graph, what a layer needs only during its
// own forward) and 'backward' (what a layer needs only during its own backward). A graph records
// each layer's passes of one kind together and they run one after another in one command buffer
// (WebGPU orders dispatches that share a storage buffer), so all layers' tensors of a region can
// use the same memory: every layer's views start at offset 0 of the region's buffer, sized to the
// largest layer's need. The buffer is made at the first use, so when every plan is made before any
// pass is recorded (Sequential does that), it is one buffer; a layer declared after that and
// larger gets a new one (the earlier passes keep binding the old one).
//
// A region is split into lanes, one buffer each: WebGPU forbids a dispatch to bind one buffer both
// read-only and writable, even at disjoint ranges, so tensors that one dispatch reads and another
// it writes go in different lanes (v3's backward: packed dy in one, dcol and the split-K partials
// in the other).
import { numel, type Tensor } from './buffers.js';

export type Region = 'forward' | 'backward';
export type Shapes<K extends string> = Record<K, readonly number[]>;

/** minStorageBufferOffsetAlignment: every view starts at a multiple of it. */
export const SCRATCH_ALIGN = 256;
const aligned = (shape: readonly number[]) => Math.ceil((numel(shape) * 4) / SCRATCH_ALIGN) * SCRATCH_ALIGN;

/** One layer's scratch tensors by name, made at first use. */
export interface Scratch<K extends string> {
  get(name: K): Tensor;
}

interface Lane { need: number; buffer: GPUBuffer | null; made: GPUBuffer[] }

/** A layer's tensors in one lane: offsets from 0, and the buffer they live in once one is used. */
interface Group { lane: Lane; bytes: number; offsets: Record<string, number>; shapes: Record<string, readonly number[]>; buffer: GPUBuffer | null }

export class ArenaSet<K extends string> implements Scratch<K> {
  /** The views handed out so far (tests and benchmarks look at them). */
  readonly tensors: Partial<Record<K, Tensor>> = {};
  constructor(readonly region: Region, private groups: Group[], private arena: ScratchArena) {}

  get(name: K): Tensor {
    const have = this.tensors[name];
    if (have) return have;
    const g = this.groups.find((x) => name in x.shapes);
    if (!g) throw new Error(`scratch: '${name}' was not declared`);
    const shape = g.shapes[name];
    // A layer whose lane would pass maxBufferSize keeps its tensors private (each fits: the version checked).
    const t: Tensor = g.bytes > this.arena.maxBufferSize
      ? { buffer: this.arena.create(aligned(shape)), offset: 0, shape, dtype: 'f32' }
      : { buffer: (g.buffer ??= this.arena.laneBuffer(g.lane, g.bytes)), offset: g.offsets[name], shape, dtype: 'f32' };
    this.tensors[name] = t;
    return t;
  }
}

export class ScratchArena {
  private lanes: Record<Region, Lane[]> = { forward: [], backward: [] };
  /** Every layer's set, in the order declared. */
  readonly sets: Array<ArenaSet<string>> = [];

  /** `create(bytes)` makes a buffer that lives as long as the graph. */
  constructor(readonly maxBufferSize: number, readonly create: (bytes: number) => GPUBuffer) {}

  /** Declares one layer's tensors in `region`, lane by lane (tensors one dispatch reads and writes in different lanes). */
  declare<K extends string>(region: Region, lanes: ReadonlyArray<Partial<Shapes<K>>>): Scratch<K> {
    const groups = lanes.map((shapes, i): Group => {
      const lane = (this.lanes[region][i] ??= { need: 0, buffer: null, made: [] });
      const offsets: Record<string, number> = {};
      let bytes = 0;
      for (const [k, s] of Object.entries(shapes) as Array<[string, readonly number[]]>) { offsets[k] = bytes; bytes += aligned(s); }
      if (bytes <= this.maxBufferSize) lane.need = Math.max(lane.need, bytes);
      return { lane, bytes, offsets, shapes: shapes as Record<string, readonly number[]>, buffer: null };
    });
    const set = new ArenaSet<K>(region, groups, this);
    this.sets.push(set as ArenaSet<string>);
    return set;
  }

  /** The lane's current buffer, or a new one sized to the largest need declared so far where it is too small. */
  laneBuffer(lane: Lane, bytes: number): GPUBuffer {
    if (!lane.buffer || lane.buffer.size < bytes) {
      lane.buffer = this.create(lane.need);
      lane.made.push(lane.buffer);
    }
    return lane.buffer;
  }

  /** The buffers a region's lanes have made (a lane makes more than one only where a larger layer came after its first use). */
  buffers(region: Region): GPUBuffer[] {
    return this.lanes[region].flatMap((l) => l.made);
  }

  /** Bytes the region's lane buffers hold. */
  bytes(region: Region): number {
    return this.buffers(region).reduce((s, b) => s + b.size, 0);
  }
}

/** A layer's scratch in `region` of `arena`, or, with no arena (trials, tests), private tensors from `alloc` made at first use. */
export function layerScratch<K extends string>(alloc: (shape: readonly number[]) => Tensor, arena: ScratchArena | undefined, region: Region, lanes: ReadonlyArray<Partial<Shapes<K>>>): Scratch<K> {
  if (arena) return arena.declare(region, lanes);
  const shapes = Object.assign({}, ...lanes) as Partial<Shapes<K>>;
  const made: Partial<Record<K, Tensor>> = {};
  return {
    get(name) {
      const shape = shapes[name];
      if (!shape) throw new Error(`scratch: '${name}' was not declared`);
      return (made[name] ??= alloc(shape));
    },
  };
}

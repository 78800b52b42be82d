// The scratch arena's layout on stand-in buffers (no device): one buffer per region and lane sized
// to the largest layer, views from offset 0 at 256-byte steps, a new buffer only where a larger
// layer is declared after the first use, and private buffers for a layer over maxBufferSize.
import { describe, expect, it } from 'vitest';
import { layerScratch, ScratchArena } from '../../src/gpu/arena.js';
import type { Tensor } from '../../src/gpu/buffers.js';

function arena(max = 1 << 20) {
  const made: number[] = [];
  const a = new ScratchArena(max, (bytes) => { made.push(bytes); return { size: bytes } as GPUBuffer; });
  return { a, made };
}

describe('scratch arena', () => {
  it('one buffer per lane, sized to the largest layer; each layer\'s views start at 0, 256-byte aligned', () => {
    const { a, made } = arena();
    const l1 = a.declare('backward', [{ dyp: [10] }, { dcol: [100], part: [3] }]);
    const l2 = a.declare('backward', [{ dyp: [300] }, { dcol: [20] }]);
    const t = (x: Tensor) => [x.buffer, x.offset];
    expect(made).toEqual([]); // nothing until first use
    const [d1, c1, p1, d2, c2] = [l1.get('dyp'), l1.get('dcol'), l1.get('part'), l2.get('dyp'), l2.get('dcol')];
    expect(made).toEqual([1280, 768]); // lane 0: 300 floats; lane 1: 100 floats (512 aligned) + 3 floats (256)
    expect(t(d2)).toEqual([d1.buffer, 0]);
    expect(t(c1)).toEqual([c2.buffer, 0]);
    expect(t(p1)).toEqual([c1.buffer, 512]);
    expect(d1.buffer).not.toBe(c1.buffer);
    expect(l1.get('dyp')).toBe(d1);
    expect(a.bytes('backward')).toBe(2048);
    expect(a.buffers('forward')).toEqual([]);
  });

  it('a larger layer declared after the first use gets a new buffer; the earlier layer keeps its own', () => {
    const { a, made } = arena();
    const l1 = a.declare('forward', [{ col: [64] }]);
    const c1 = l1.get('col');
    const l2 = a.declare('forward', [{ col: [640] }]);
    const l3 = a.declare('forward', [{ col: [64] }]);
    const [c2, c3] = [l2.get('col'), l3.get('col')];
    expect(made).toEqual([256, 2560]);
    expect(c2.buffer).not.toBe(c1.buffer);
    expect(c3.buffer).toBe(c2.buffer);
    expect(l1.get('col')).toBe(c1);
  });

  it('a layer whose lane would pass maxBufferSize keeps private tensors and does not grow the lane', () => {
    const { a, made } = arena(4096);
    const big = a.declare('backward', [{ dcol: [768], part: [768] }]);
    const small = a.declare('backward', [{ dcol: [16] }]);
    const [x, y, z] = [big.get('dcol'), big.get('part'), small.get('dcol')];
    expect(made).toEqual([3072, 3072, 256]);
    expect(new Set([x.buffer, y.buffer, z.buffer]).size).toBe(3);
    expect([x.offset, y.offset]).toEqual([0, 0]);
  });

  it('refuses a name it was not told about; without an arena, tensors are private and made once', () => {
    const { a } = arena();
    expect(() => a.declare('backward', [{ dyp: [4] }]).get('dcol' as 'dyp')).toThrow(`scratch: 'dcol' was not declared`);
    const shapes: Array<readonly number[]> = [];
    const s = layerScratch((shape) => { shapes.push(shape); return { buffer: {} as GPUBuffer, offset: 0, shape, dtype: 'f32' }; }, undefined, 'backward', [{ dyp: [4] }, { dcol: [8] }]);
    expect(s.get('dcol')).toBe(s.get('dcol'));
    expect(shapes).toEqual([[8]]);
  });
});

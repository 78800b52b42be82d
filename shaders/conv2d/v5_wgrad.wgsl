// conv2d v5 weight and bias gradients, split-K: v4's implicit GEMM (v4_wgrad_load.wgsl, the
//   register tile of v4_tile.wgsl) over one of Z chunks of the pixels j = (n, oh, ow) < NJ =
//   N*OH*OW: chunk z is [z*L, min((z+1)*L, NJ)), L = ceil(NJ / Z), the last one ragged.
//   part[z, k, r] = sum over chunk z of dy'[n,k,oh,ow] * X[r, j], r <= CKK (r = CKK: the bias's
//   all-ones tap). v5_wsum.wgsl then adds the Z partials in order (deterministic, no atomics).
// Tiles: an invocation owns R channels x 4*PQ taps; the WG invocations of a workgroup share the
//   tile and interleave over the chunk's pixels (invocation i takes j0 + i, j0 + i + WG, ...:
//   neighbours read neighbouring dy and x), then sum their partial tiles in workgroup memory.
// Bindings: p (conv2d/params.wgsl, CKK and Z set); x, dy, y (read only with RELU) -> part
//   [Z, K, CKK+1].
// Dispatch: 1-D workgroups of WG over a 2-D grid, ceil((CKK+1) / (4*PQ)) tap tiles (fastest) x
//   ceil(K / R) channel tiles x Z chunks (slowest: workgroups running together share a chunk's
//   loads). Indices in bounds by construction, as in v4_fwd.wgsl.

override WG: u32;

@group(0) @binding(4) var<storage, read_write> part: array<f32>;

var<private> wlive: bool;
var<private> zc: u32;

// Sums block (q, pb) over the invocations and writes chunk zc's partial: invocation e < 16 takes row e/4, tap e%4.
fn store(q: u32, pb: u32, m: mat4x4f) {
  let s = block_sum(m);
  let k = k0 + 4u * q + lid / 4u;
  let r = r0 + 4u * pb + lid % 4u;
  if (wlive && lid < 16u && 4u * q + lid / 4u < R && k < p.K && r <= p.CKK) {
    part[(zc * p.K + k) * (p.CKK + 1u) + r] = s;
  }
}

@compute @workgroup_size(WG)
fn wgrad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let tiles = (p.CKK + 1u + 4u * PQ - 1u) / (4u * PQ);
  let blocks = tiles * ((p.K + R - 1u) / R);
  // A workgroup past the end (a 2-D grid's overhang) redoes the last one's work but stores
  // nothing: on SwiftShader an early return would mask, and slow, everything after it.
  let g0 = wid.x + wid.y * nwg.x;
  let g = min(g0, blocks * p.Z - 1u);
  wlive = g0 < blocks * p.Z;
  lid = li;
  zc = g / blocks;
  k0 = ((g % blocks) / tiles) * R;
  r0 = (g % tiles) * 4u * PQ;
  tile_taps();
  let S = p.OH * p.OW;
  let NJ = p.N * S;
  let len = (NJ + p.Z - 1u) / p.Z;
  let j1 = min((zc + 1u) * len, NJ);
  var j = zc * len + li;
  var n = j / S;
  var oh = (j % S) / p.OW;
  var ow = j % p.OW;
  // WG pixels on = dn images, doh rows, dow columns: a carry walk, no divisions in the loop.
  let dn = WG / S;
  let doh = (WG % S) / p.OW;
  let dow = WG % p.OW;
  for (; j < j1; j += WG) {
    pixel(n, oh, ow);
    ow += dow;
    if (ow >= p.OW) { ow -= p.OW; oh++; }
    oh += doh;
    if (oh >= p.OH) { oh -= p.OH; n++; }
    n += dn;
  }
  store_all();
}

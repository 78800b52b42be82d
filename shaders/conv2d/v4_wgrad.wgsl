// conv2d v4 weight and bias gradients in one pass, an implicit GEMM over the output pixels:
//   dw[k, r] (+)= sum over j = (n, oh, ow) of dy'[n,k,oh,ow] * X[r, j] for taps r = (c,kh,kw) <
//   CKK, X as in v4_fwd.wgsl; a virtual tap r = CKK with X = 1 gives db[k] (+)= sum_j dy'[k, j].
//   dy' = dy * (y > 0) when RELU (the mask applied on load), else dy. Loads and the workgroup
//   sum: v4_wgrad_load.wgsl (included after v4_tile.wgsl).
// Tiles: an invocation owns R output channels x 4*PQ taps (v4_tile.wgsl) over one slice of the
//   pixels; the WG invocations of a workgroup share the tile and split the pixels into WG
//   contiguous slices, then sum their partial tiles in workgroup memory (a fixed order:
//   deterministic, no atomics, no second pass).
// Bindings: p (conv2d/params.wgsl, CKK set); x, dy, y (read only with RELU) -> dw, db.
// Dispatch: 1-D workgroups of WG over a 2-D grid, ceil((CKK+1) / (4*PQ)) tap tiles (fastest) x
//   ceil(K / R) channel tiles. Indices in bounds by construction, as in v4_fwd.wgsl.

override WG: u32;
override ACC_W: bool = false;
override ACC_B: bool = false;

@group(0) @binding(4) var<storage, read_write> dw: array<f32>;
@group(0) @binding(5) var<storage, read_write> db: array<f32>;

var<private> wlive: bool;

// Sums block (q, pb) over the slices and writes it: invocation e < 16 takes row e/4, tap e%4.
fn store(q: u32, pb: u32, m: mat4x4f) {
  let s = block_sum(m);
  let i = lid / 4u;
  let jt = lid % 4u;
  let k = k0 + 4u * q + i;
  let r = r0 + 4u * pb + jt;
  if (wlive && lid < 16u && 4u * q + i < R && k < p.K && r <= p.CKK) {
    if (r < p.CKK) {
      let o = k * p.CKK + r;
      if (ACC_W) { dw[o] += s; } else { dw[o] = s; }
    } else if (ACC_B) { db[k] += s; } else { db[k] = s; }
  }
}

@compute @workgroup_size(WG)
fn wgrad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let tiles = (p.CKK + 1u + 4u * PQ - 1u) / (4u * PQ);
  // A workgroup past the end (a 2-D grid's overhang) redoes the last one's work but stores
  // nothing: on SwiftShader an early return would mask, and slow, everything after it.
  let g0 = wid.x + wid.y * nwg.x;
  let total = tiles * ((p.K + R - 1u) / R);
  let g = min(g0, total - 1u);
  wlive = g0 < total;
  lid = li;
  k0 = (g / tiles) * R;
  r0 = (g % tiles) * 4u * PQ;
  tile_taps();
  // This slice: pixels [j, j1), walked with a carry through (n, oh, ow).
  let S = p.OH * p.OW;
  let NJ = p.N * S;
  let len = (NJ + WG - 1u) / WG;
  var j = min(li * len, NJ);
  let j1 = min(j + len, NJ);
  var n = j / S;
  var oh = (j % S) / p.OW;
  var ow = j % p.OW;
  for (; j < j1; j++) {
    pixel(n, oh, ow);
    ow++;
    if (ow == p.OW) { ow = 0u; oh++; if (oh == p.OH) { oh = 0u; n++; } }
  }
  store_all();
}

// Shared by matmul v5 and v6 (included after their sizes, switches and bindings p, A, B, C, Y):
//   the fused switches MASK_A, BIAS, RELU, MASK_C (meanings in v5_fused.wgsl), the bindings
//   5 bias, 6 Z, 7 sums, the epilogue on store, and the entries gemm and gemm_sums.
// Each version defines Block (its 4x4 accumulators and rs, the four rows' sums of op(A)),
//   block(m0, n0, row_sums) and store_block(m0, n0, Block), which calls store_rows.
// Dispatch: workgroup (WG_X, WG_Y); invocation (x, y) owns the 4x4 block of C at (4y, 4x).

override MASK_A: bool = false;
override BIAS: bool = false;
override RELU: bool = false;
override MASK_C: bool = false;

@group(0) @binding(5) var<storage, read> bias: array<f32>;
@group(0) @binding(6) var<storage, read> Z: array<f32>;
@group(0) @binding(7) var<storage, read_write> sums: array<f32>;

fn put(o: u32, v: f32) {
  if (ACCUMULATE) { C[o] += v; } else { C[o] = v; }
}

// Row m of the block, columns n0..n0+3, with the epilogue applied.
fn store_row(m: u32, n0: u32, r: vec4f, b: vec4f) {
  if (m >= p.M) { return; }
  var v = r + b;
  if (RELU) { v = max(v, vec4f(0.0)); }
  let o = m * p.N + n0;
  if (MASK_C) {
    let l = m * p.N + p.N - 1u;
    v = select(vec4f(0.0), v, vec4f(Z[o], Z[min(o + 1u, l)], Z[min(o + 2u, l)], Z[min(o + 3u, l)]) > vec4f(0.0));
  }
  put(o, v.x);
  if (n0 + 1u < p.N) { put(o + 1u, v.y); }
  if (n0 + 2u < p.N) { put(o + 2u, v.z); }
  if (n0 + 3u < p.N) { put(o + 3u, v.w); }
}

// The block's four rows r0..r3 at (m0, n0), the bias (clamped to N-1) added to each.
fn store_rows(m0: u32, n0: u32, r0: vec4f, r1: vec4f, r2: vec4f, r3: vec4f) {
  var b = vec4f();
  if (BIAS) {
    let l = p.N - 1u;
    b = vec4f(bias[n0], bias[min(n0 + 1u, l)], bias[min(n0 + 2u, l)], bias[min(n0 + 3u, l)]);
  }
  store_row(m0, n0, r0, b);
  store_row(m0 + 1u, n0, r1, b);
  store_row(m0 + 2u, n0, r2, b);
  store_row(m0 + 3u, n0, r3, b);
}

fn put_sum(m: u32, v: f32) {
  if (m >= p.M) { return; }
  if (ACCUMULATE) { sums[m] += v; } else { sums[m] = v; }
}

@compute @workgroup_size(WG_X, WG_Y)
fn gemm(@builtin(global_invocation_id) g: vec3u) {
  let m0 = g.y * 4u;
  let n0 = g.x * 4u;
  if (m0 >= p.M || n0 >= p.N) { return; }
  store_block(m0, n0, block(m0, n0, false));
}

@compute @workgroup_size(WG_X, WG_Y)
fn gemm_sums(@builtin(global_invocation_id) g: vec3u) {
  let m0 = g.y * 4u;
  let n0 = g.x * 4u;
  if (m0 >= p.M || n0 >= p.N) { return; }
  let r = block(m0, n0, n0 == 0u);
  store_block(m0, n0, r);
  if (n0 == 0u) {
    put_sum(m0, r.rs.x);
    put_sum(m0 + 1u, r.rs.y);
    put_sum(m0 + 2u, r.rs.z);
    put_sum(m0 + 3u, r.rs.w);
  }
}

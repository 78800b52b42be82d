// matmul v6 (scalar loads, any sizes, v5's prologue and epilogue): C[M,N] (+)= op(A) * op(B),
//   row-major; op(A) is [M,K] (TRANS_A: A stored [K,M]), op(B) is [K,N] (TRANS_B: B stored
//   [N,K]). For the shapes v5's vec4 loads cannot take (a 10-class layer's gradients).
//   MASK_A, BIAS, RELU, MASK_C, ACCUMULATE and the gemm_sums entry mean what they mean in v5_fused.wgsl.
// Each invocation keeps a 4x4 block of C in four named vec4 registers (SwiftShader spills a
//   dynamically indexed private array to memory): per k, 4 loads of op(A) and 4 of op(B) for
//   16 multiply-adds.
// In bounds by construction: rows past M and columns past N are clamped to the last one on
//   load and dropped on store.
// Bindings: 0 params {M,N,K}, 1 A, 2 B, 3 C, 4 Y, 5 bias, 6 Z (an unused Y, bias or Z is bound
//   to A), 7 sums (gemm_sums only).
// Dispatch: workgroup (WG_X, WG_Y); grid (ceil(N/(4*WG_X)), ceil(M/(4*WG_Y))).

struct P { M: u32, N: u32, K: u32, _pad: u32 }

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override ACCUMULATE: bool = false;
override MASK_A: bool = false;
override BIAS: bool = false;
override RELU: bool = false;
override MASK_C: bool = false;
override WG_X: u32;
override WG_Y: u32;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
@group(0) @binding(4) var<storage, read> Y: array<f32>;
@group(0) @binding(5) var<storage, read> bias: array<f32>;
@group(0) @binding(6) var<storage, read> Z: array<f32>;
@group(0) @binding(7) var<storage, read_write> sums: array<f32>;

// op(A)[m, k] for a row m already clamped below M.
fn a_at(m: u32, k: u32) -> f32 {
  var i = m * p.K + k;
  if (TRANS_A) { i = k * p.M + m; }
  if (MASK_A) { return select(0.0, A[i], Y[i] > 0.0); }
  return A[i];
}

// op(B)[k, n] for a column n already clamped below N.
fn b_at(k: u32, n: u32) -> f32 {
  if (TRANS_B) { return B[n * p.K + k]; }
  return B[k * p.N + n];
}

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

fn put_sum(m: u32, v: f32) {
  if (m >= p.M) { return; }
  if (ACCUMULATE) { sums[m] += v; } else { sums[m] = v; }
}

// The 4x4 block at (m0, n0), row i in c[i], and, with row_sums, its four rows' sums of op(A).
struct Block { c0: vec4f, c1: vec4f, c2: vec4f, c3: vec4f, rs: vec4f }

fn block(m0: u32, n0: u32, row_sums: bool) -> Block {
  let lm = p.M - 1u;
  let ln = p.N - 1u;
  let m1 = min(m0 + 1u, lm);
  let m2 = min(m0 + 2u, lm);
  let m3 = min(m0 + 3u, lm);
  let n1 = min(n0 + 1u, ln);
  let n2 = min(n0 + 2u, ln);
  let n3 = min(n0 + 3u, ln);
  var r = Block(vec4f(), vec4f(), vec4f(), vec4f(), vec4f());
  for (var k = 0u; k < p.K; k++) {
    let a = vec4f(a_at(m0, k), a_at(m1, k), a_at(m2, k), a_at(m3, k));
    let b = vec4f(b_at(k, n0), b_at(k, n1), b_at(k, n2), b_at(k, n3));
    r.c0 += a.x * b;
    r.c1 += a.y * b;
    r.c2 += a.z * b;
    r.c3 += a.w * b;
    if (row_sums) { r.rs += a; }
  }
  return r;
}

fn store_block(m0: u32, n0: u32, r: Block) {
  var b = vec4f();
  if (BIAS) {
    let l = p.N - 1u;
    b = vec4f(bias[n0], bias[min(n0 + 1u, l)], bias[min(n0 + 2u, l)], bias[min(n0 + 3u, l)]);
  }
  store_row(m0, n0, r.c0, b);
  store_row(m0 + 1u, n0, r.c1, b);
  store_row(m0 + 2u, n0, r.c2, b);
  store_row(m0 + 3u, n0, r.c3, b);
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

// matmul v5 (v4's vec4 GEMM with a fused prologue and epilogue): C[M,N] (+)= op(A) * op(B),
//   row-major; op(A) is [M,K] (TRANS_A: A stored [K,M]), op(B) is [K,N] (TRANS_B: B stored [N,K]).
//   A, Y and B are read as vec4 along their contiguous axis: K % 4 == 0, M % 4 == 0 with
//   TRANS_A, N % 4 == 0 without TRANS_B. Each switch below is an override, off by default:
//   MASK_A:   op(A) is read through ReLU's backward mask: an element of A counts only where the
//             element of Y at the same index (the ReLU's output, stored like A) is > 0, so a
//             dense layer's masked output gradient is never written out.
//   BIAS:     C = op(A) op(B) + bias[n] (one bias per column: a dense layer's forward).
//   RELU:     C = max(C, 0), after the bias.
//   MASK_C:   the result counts only where Z (stored like C) is > 0: ReLU's backward mask
//             applied on store, when C is the gradient of a ReLU's output (Z) and the gradient
//             its layer reads is that of the ReLU's input.
//   ACCUMULATE adds the (masked) result into C and sums (the host never combines it with BIAS or RELU).
// Entry gemm_sums also writes sums[m] (+)= sum_k op(A)[m,k]: op(B) with a column of ones
//   appended, i.e. a dense layer's bias gradient out of its weight-gradient GEMM. Only the
//   invocations of the first column block (n0 == 0) add it up. (A separate entry, because
//   Dawn refuses a dummy binding of sums that aliases C.)
// Each invocation keeps a 4x4 block of C in a mat4x4f (named registers, no private array).
// In bounds by construction: rows past M (columns past N with TRANS_B) are clamped on load and
//   dropped on store; a bias index is clamped to N-1.
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
@group(0) @binding(1) var<storage, read> A: array<vec4f>;
@group(0) @binding(2) var<storage, read> B: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
@group(0) @binding(4) var<storage, read> Y: array<vec4f>;
@group(0) @binding(5) var<storage, read> bias: array<f32>;
@group(0) @binding(6) var<storage, read> Z: array<f32>;
@group(0) @binding(7) var<storage, read_write> sums: array<f32>;

fn a_ld(i: u32) -> vec4f {
  if (MASK_A) { return select(vec4f(0.0), A[i], Y[i] > vec4f(0.0)); }
  return A[i];
}

// Column i holds op(A)[m0+i, k..k+3].
fn a_blk(m0: u32, k: u32) -> mat4x4f {
  if (TRANS_A) {
    let q = p.M / 4u;
    let o = k * q + m0 / 4u;
    return transpose(mat4x4f(a_ld(o), a_ld(o + q), a_ld(o + 2u * q), a_ld(o + 3u * q)));
  }
  let q = p.K / 4u;
  let o = k / 4u;
  return mat4x4f(a_ld(min(m0, p.M - 1u) * q + o), a_ld(min(m0 + 1u, p.M - 1u) * q + o),
                 a_ld(min(m0 + 2u, p.M - 1u) * q + o), a_ld(min(m0 + 3u, p.M - 1u) * q + o));
}

// Column t holds op(B)[k+t, n0..n0+3].
fn b_blk(k: u32, n0: u32) -> mat4x4f {
  if (TRANS_B) {
    let q = p.K / 4u;
    let o = k / 4u;
    return transpose(mat4x4f(B[min(n0, p.N - 1u) * q + o], B[min(n0 + 1u, p.N - 1u) * q + o],
                             B[min(n0 + 2u, p.N - 1u) * q + o], B[min(n0 + 3u, p.N - 1u) * q + o]));
  }
  let q = p.N / 4u;
  let o = k * q + n0 / 4u;
  return mat4x4f(B[o], B[o + q], B[o + 2u * q], B[o + 3u * q]);
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

struct Block { acc: mat4x4f, rs: vec4f }

// The 4x4 block at (m0, n0) and, with row_sums, its four rows' sums of op(A).
fn block(m0: u32, n0: u32, row_sums: bool) -> Block {
  var r = Block(mat4x4f(), vec4f());
  for (var k = 0u; k < p.K; k += 4u) {
    let a = a_blk(m0, k);
    r.acc += b_blk(k, n0) * a;
    // vec * mat: component i is dot(1, column i), the sum of row m0+i's four k values.
    if (row_sums) { r.rs += vec4f(1.0) * a; }
  }
  return r;
}

fn store_block(m0: u32, n0: u32, acc: mat4x4f) {
  var b = vec4f();
  if (BIAS) {
    let l = p.N - 1u;
    b = vec4f(bias[n0], bias[min(n0 + 1u, l)], bias[min(n0 + 2u, l)], bias[min(n0 + 3u, l)]);
  }
  store_row(m0, n0, acc[0], b);
  store_row(m0 + 1u, n0, acc[1], b);
  store_row(m0 + 2u, n0, acc[2], b);
  store_row(m0 + 3u, n0, acc[3], b);
}

@compute @workgroup_size(WG_X, WG_Y)
fn gemm(@builtin(global_invocation_id) g: vec3u) {
  let m0 = g.y * 4u;
  let n0 = g.x * 4u;
  if (m0 >= p.M || n0 >= p.N) { return; }
  store_block(m0, n0, block(m0, n0, false).acc);
}

@compute @workgroup_size(WG_X, WG_Y)
fn gemm_sums(@builtin(global_invocation_id) g: vec3u) {
  let m0 = g.y * 4u;
  let n0 = g.x * 4u;
  if (m0 >= p.M || n0 >= p.N) { return; }
  let r = block(m0, n0, n0 == 0u);
  store_block(m0, n0, r.acc);
  if (n0 == 0u) {
    put_sum(m0, r.rs.x);
    put_sum(m0 + 1u, r.rs.y);
    put_sum(m0 + 2u, r.rs.z);
    put_sum(m0 + 3u, r.rs.w);
  }
}

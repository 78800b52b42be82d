// matmul v5 (v4's vec4 GEMM with a fused prologue and epilogue): C[M,N] (+)= op(A) * op(B),
//   row-major; op(A) is [M,K] (TRANS_A: A stored [K,M]), op(B) is [K,N] (TRANS_B: B stored [N,K]).
//   A, Y and B are read as vec4 along their contiguous axis: K % 4 == 0, M % 4 == 0 with
//   TRANS_A, N % 4 == 0 without TRANS_B. Each switch is an override, off by default:
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
// Bindings: 0 params {M,N,K} and 3 C from sizes.wgsl (included first, with TRANS_A/TRANS_B/
//   ACCUMULATE and WG_X/WG_Y); 1 A, 2 B, 4 Y here; 5 bias, 6 Z, 7 sums (gemm_sums only) from
//   fused.wgsl (included next, with the fusion switches, the stores and both entries); b_blk from
//   vec4_b.wgsl (shared with v4). An unused Y,
//   bias or Z is bound to A.
// Dispatch: workgroup (WG_X, WG_Y); grid (ceil(N/(4*WG_X)), ceil(M/(4*WG_Y))).

@group(0) @binding(1) var<storage, read> A: array<vec4f>;
@group(0) @binding(2) var<storage, read> B: array<vec4f>;
@group(0) @binding(4) var<storage, read> Y: array<vec4f>;

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

fn store_block(m0: u32, n0: u32, r: Block) {
  store_rows(m0, n0, r.acc[0], r.acc[1], r.acc[2], r.acc[3]);
}

// matmul v6 (scalar loads, any sizes, v5's prologue and epilogue): C[M,N] (+)= op(A) * op(B),
//   row-major; op(A) is [M,K] (TRANS_A: A stored [K,M]), op(B) is [K,N] (TRANS_B: B stored
//   [N,K]). For the shapes v5's vec4 loads cannot take (a 10-class layer's gradients).
//   MASK_A, BIAS, RELU, MASK_C, ACCUMULATE and the gemm_sums entry mean what they mean in v5_fused.wgsl.
// Each invocation keeps a 4x4 block of C in four named vec4 registers (SwiftShader spills a
//   dynamically indexed private array to memory): per k, 4 loads of op(A) and 4 of op(B) for
//   16 multiply-adds.
// In bounds by construction: rows past M and columns past N are clamped to the last one on
//   load and dropped on store.
// Bindings: 0 params {M,N,K} and 3 C from sizes.wgsl (with TRANS_A, TRANS_B, ACCUMULATE, WG_X,
//   WG_Y), 1 A and 2 B from operands.wgsl; 4 Y; 5 bias, 6 Z, 7 sums (gemm_sums only) from fused.wgsl
//   (with the switches, the stores and both entries). All three included first. An unused Y, bias or
//   Z is bound to A.
// Dispatch: workgroup (WG_X, WG_Y); grid (ceil(N/(4*WG_X)), ceil(M/(4*WG_Y))).

@group(0) @binding(4) var<storage, read> Y: array<f32>;

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
  store_rows(m0, n0, r.c0, r.c1, r.c2, r.c3);
}

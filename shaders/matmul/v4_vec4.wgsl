// matmul v4 (vec4 loads): C[M,N] (+)= op(A) * op(B), row-major like v1_naive.wgsl
//   (TRANS_A: A stored [K,M]; TRANS_B: B stored [N,K]). A and B are read as vec4 along their
//   contiguous axis, so it needs K % 4 == 0, M % 4 == 0 with TRANS_A, N % 4 == 0 without TRANS_B.
// Each invocation keeps a 4x4 block of C in a mat4x4f: per 4 k-steps, 8 vec4 loads and one
//   4x4x4 matrix product. SwiftShader gathers every load lane by lane, so four-wide loads are
//   what make it ~3x faster than v3 on the CPU; on GPUs they are the usual vec4 global loads.
// Split-K: workgroup z sums k in [z*KC, min(K, z*KC + KC)) and writes slice z of C ([Z,M,N]).
// OUT_NCHW (the conv GEMM): column j = n*S + s goes to C[(n*MR + m)*S + s] for m < MR, j < NJ.
// Bindings: 0 params, 1 A, 2 B, 3 C. b_blk (a 4x4 block of op(B)) comes from vec4_b.wgsl (included first).
// Dispatch: workgroup (WG_X, WG_Y); grid (ceil(N/(4*WG_X)), ceil(M/(4*WG_Y)), splits).

struct P { M: u32, N: u32, K: u32, KC: u32, S: u32, NJ: u32, MR: u32, _pad: u32 }

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override ACCUMULATE: bool = false;
override OUT_NCHW: bool = false;
override WG_X: u32;
override WG_Y: u32;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> A: array<vec4f>;
@group(0) @binding(2) var<storage, read> B: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

// Column i holds op(A)[m0+i, k..k+3]; rows past M are clamped and dropped at the store.
fn a_blk(m0: u32, k: u32) -> mat4x4f {
  if (TRANS_A) {
    let q = p.M / 4u;
    let o = k * q + m0 / 4u;
    return transpose(mat4x4f(A[o], A[o + q], A[o + 2u * q], A[o + 3u * q]));
  }
  let q = p.K / 4u;
  let o = k / 4u;
  return mat4x4f(A[min(m0, p.M - 1u) * q + o], A[min(m0 + 1u, p.M - 1u) * q + o],
                 A[min(m0 + 2u, p.M - 1u) * q + o], A[min(m0 + 3u, p.M - 1u) * q + o]);
}

// off holds the NCHW offsets of columns n0..n0+3 without the row term (OUT_NCHW only).
fn store_row(z: u32, m: u32, n0: u32, v: vec4f, off: vec4u) {
  if (m >= p.M) { return; }
  for (var j = 0u; j < 4u; j++) {
    let n = n0 + j;
    if (OUT_NCHW) {
      if (m < p.MR && n < p.NJ) { C[off[j] + m * p.S] = v[j]; }
    } else if (n < p.N) {
      let o = (z * p.M + m) * p.N + n;
      if (ACCUMULATE) { C[o] += v[j]; } else { C[o] = v[j]; }
    }
  }
}

// One division for the four columns: they step through (image, pixel) with a carry.
fn nchw_offsets(n0: u32) -> vec4u {
  var q = n0 / p.S;
  var s = n0 % p.S;
  var off: vec4u;
  for (var j = 0u; j < 4u; j++) {
    off[j] = q * p.MR * p.S + s;
    s++;
    if (s == p.S) { s = 0u; q++; }
  }
  return off;
}

@compute @workgroup_size(WG_X, WG_Y)
fn gemm(@builtin(global_invocation_id) g: vec3u) {
  let m0 = g.y * 4u;
  let n0 = g.x * 4u;
  if (m0 >= p.M || n0 >= p.N) { return; }
  let k0 = g.z * p.KC;
  let k1 = min(p.K, k0 + p.KC);
  var acc = mat4x4f();
  for (var k = k0; k < k1; k += 4u) {
    acc += b_blk(k, n0) * a_blk(m0, k);
  }
  var off = vec4u();
  if (OUT_NCHW) { off = nchw_offsets(n0); }
  store_row(g.z, m0, n0, acc[0], off);
  store_row(g.z, m0 + 1u, n0, acc[1], off);
  store_row(g.z, m0 + 2u, n0, acc[2], off);
  store_row(g.z, m0 + 3u, n0, acc[3], off);
}

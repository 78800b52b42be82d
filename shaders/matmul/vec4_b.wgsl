// Shared by matmul v4 and v5 (included with each): a 4x4 block of op(B) from B bound as vec4
// along its contiguous axis (B stored [K,N], or [N,K] with TRANS_B; rows past N clamped). Uses the
// including shader's p {M, N, K, ...}, B: array<vec4f> and TRANS_B.
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

// matmul v3 (register-blocked): C[M,N] (+)= op(A) * op(B), same contract as v1_naive.wgsl
//   (TRANS_A: A stored [K,M]; TRANS_B: B stored [N,K]; ACCUMULATE adds into C).
// Each invocation computes a 4x4 block of C in registers: per k it loads 4 values of op(A) and
// 4 of op(B) for 16 FMAs, with no workgroup memory or barriers (barriers are costly on CPU
// Vulkan such as SwiftShader; on GPUs the blocking still cuts loads 4x).
// Bindings: 0 params {M,N,K}, 1 A, 2 B, 3 C.
// Dispatch: workgroup (WG_X, WG_Y); grid (ceil(N/(4*WG_X)), ceil(M/(4*WG_Y))); edge blocks mask by M and N.

// Sizes, switches, workgroup overrides and bindings: sizes.wgsl and operands.wgsl (included first).

fn a_at(m: u32, k: u32) -> f32 {
  if (m >= p.M) { return 0.0; }
  if (TRANS_A) { return A[k * p.M + m]; }
  return A[m * p.K + k];
}

fn b_at(k: u32, n: u32) -> f32 {
  if (n >= p.N) { return 0.0; }
  if (TRANS_B) { return B[n * p.K + k]; }
  return B[k * p.N + n];
}

@compute @workgroup_size(WG_X, WG_Y)
fn blocked(@builtin(global_invocation_id) g: vec3u) {
  let m0 = g.y * 4u;
  let n0 = g.x * 4u;
  if (m0 >= p.M || n0 >= p.N) { return; }
  var acc: array<vec4f, 4>;
  for (var k = 0u; k < p.K; k++) {
    let b = vec4f(b_at(k, n0), b_at(k, n0 + 1u), b_at(k, n0 + 2u), b_at(k, n0 + 3u));
    acc[0] += a_at(m0, k) * b;
    acc[1] += a_at(m0 + 1u, k) * b;
    acc[2] += a_at(m0 + 2u, k) * b;
    acc[3] += a_at(m0 + 3u, k) * b;
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + j;
      if (n >= p.N) { break; }
      let o = m * p.N + n;
      if (ACCUMULATE) { C[o] += acc[i][j]; } else { C[o] = acc[i][j]; }
    }
  }
}

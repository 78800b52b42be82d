// matmul v1 (naive, the baseline): C[M,N] (+)= op(A) * op(B), row-major f32; op(A) is [M,K],
//   op(B) is [K,N]. TRANS_A: A is stored [K,M]; TRANS_B: B is stored [N,K]. A dense layer
//   y = x W^T uses TRANS_B; dX = dY W plain; dW = dY^T X uses TRANS_A. ACCUMULATE adds into C.
// Bindings: p {M,N,K}, A, B, C.
// Dispatch: one invocation per C element, workgroup (WG_X, WG_Y), grid (ceil(N/WG_X), ceil(M/WG_Y)).

// Sizes, switches, workgroup overrides and bindings: sizes.wgsl and operands.wgsl (included first).

fn a_at(m: u32, k: u32) -> f32 {
  if (TRANS_A) { return A[k * p.M + m]; }
  return A[m * p.K + k];
}

fn b_at(k: u32, n: u32) -> f32 {
  if (TRANS_B) { return B[n * p.K + k]; }
  return B[k * p.N + n];
}

@compute @workgroup_size(WG_X, WG_Y)
fn naive(@builtin(global_invocation_id) g: vec3u) {
  let n = g.x;
  let m = g.y;
  if (m >= p.M || n >= p.N) { return; }
  var acc = 0.0;
  for (var k = 0u; k < p.K; k++) { acc += a_at(m, k) * b_at(k, n); }
  let o = m * p.N + n;
  if (ACCUMULATE) { C[o] += acc; } else { C[o] = acc; }
}

// matmul: C[M,N] (+)= op(A) * op(B), row-major f32; op(A) is [M,K], op(B) is [K,N].
//   TRANS_A: A is stored [K,M]; TRANS_B: B is stored [N,K]. A dense layer y = x W^T uses
//   TRANS_B; dX = dY W plain; dW = dY^T X uses TRANS_A. ACCUMULATE adds into C (grad accumulation).
// Bindings: 0 params {M,N,K}, 1 A, 2 B, 3 C.
// v1 (naive): one invocation per C element, @workgroup_size(8,8), grid (ceil(N/8), ceil(M/8)).
// v2 (tiled): TxT output tile per 2-D workgroup staged through workgroup memory in K-steps of T,
//   grid (ceil(N/T), ceil(M/T)); T (override TILE) must make TILE*TILE <= 256 invocations.

struct P { M: u32, N: u32, K: u32, _pad: u32 }

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override ACCUMULATE: bool = false;
override TILE: u32 = 16;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

fn a_at(m: u32, k: u32) -> f32 {
  if (TRANS_A) { return A[k * p.M + m]; }
  return A[m * p.K + k];
}

fn b_at(k: u32, n: u32) -> f32 {
  if (TRANS_B) { return B[n * p.K + k]; }
  return B[k * p.N + n];
}

fn store(m: u32, n: u32, v: f32) {
  let o = m * p.N + n;
  if (ACCUMULATE) { C[o] += v; } else { C[o] = v; }
}

@compute @workgroup_size(8, 8)
fn naive(@builtin(global_invocation_id) g: vec3u) {
  let n = g.x;
  let m = g.y;
  if (m >= p.M || n >= p.N) { return; }
  var acc = 0.0;
  for (var k = 0u; k < p.K; k++) { acc += a_at(m, k) * b_at(k, n); }
  store(m, n, acc);
}

var<workgroup> ta: array<f32, TILE * TILE>;
var<workgroup> tb: array<f32, TILE * TILE>;

@compute @workgroup_size(TILE, TILE)
fn tiled(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let m = wid.y * TILE + lid.y;
  let n = wid.x * TILE + lid.x;
  var acc = 0.0;
  for (var k0 = 0u; k0 < p.K; k0 += TILE) {
    // Each invocation stages one A element (row m) and one B element (column n).
    let ka = k0 + lid.x;
    let kb = k0 + lid.y;
    ta[lid.y * TILE + lid.x] = select(0.0, a_at(m, ka), m < p.M && ka < p.K);
    tb[lid.y * TILE + lid.x] = select(0.0, b_at(kb, n), kb < p.K && n < p.N);
    workgroupBarrier();
    for (var k = 0u; k < TILE; k++) { acc += ta[lid.y * TILE + k] * tb[k * TILE + lid.x]; }
    workgroupBarrier();
  }
  if (m < p.M && n < p.N) { store(m, n, acc); }
}

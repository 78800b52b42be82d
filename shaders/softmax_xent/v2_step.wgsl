// softmax_xent v2 (the training step's loss in one pass): over logits z [B, K] (row-major) and
// labels [B], one workgroup strides over the rows and, in the same pass, writes
//   dz[b,k]   = gscale * (softmax(z[b,:])[k] - t[b,k]),  t = (1 - eps) onehot(label[b]) + eps / K
//   totals[0] += inv_b * sum_b loss_b,  loss_b = logsumexp(z[b,:]) - sum_k t[b,k] z[b,k]
//   count[0]  += rows whose first maximum is at the label
// eps = 0 is v1's cross-entropy; eps > 0 is label smoothing. A label >= K makes the loss NaN
//   (as v1) and leaves its row's gradient without the one-hot part.
// What this replaces: v1's fwd_bwd, a mean (reduce), an add into the running sum (axpy) and the
//   correct-count (metrics), each a pass over the logits or the loss rows.
// The per-invocation sums are tree-reduced in workgroup memory in a fixed order (deterministic);
//   invocation 0 adds them to the running totals, which only the host clears.
// Bindings: p {B, K, gscale, eps, inv_b}, z, labels (u32), dz, totals [1], count [1] (u32).
// Dispatch: one workgroup of WG invocations (a power of two), grid (1,1,1).

struct P { B: u32, K: u32, gscale: f32, eps: f32, inv_b: f32, _a: u32, _b: u32, _c: u32 }

override WG: u32;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> dz: array<f32>;
@group(0) @binding(4) var<storage, read_write> totals: array<f32>;
@group(0) @binding(5) var<storage, read_write> count: array<u32>;

var<workgroup> part_loss: array<f32, WG>;
var<workgroup> part_hits: array<u32, WG>;

@compute @workgroup_size(WG)
fn step(@builtin(local_invocation_index) li: u32) {
  let tk = p.eps / f32(p.K);
  var lsum = 0.0;
  var hits = 0u;
  for (var b = li; b < p.B; b += WG) {
    let o = b * p.K;
    let label = labels[b];
    // One read of the row for its maximum (and where it first is) and its sum.
    var m = z[o];
    var at = 0u;
    var zs = m;
    for (var k = 1u; k < p.K; k++) {
      let v = z[o + k];
      if (v > m) { m = v; at = k; }
      zs += v;
    }
    var s = 0.0;
    for (var k = 0u; k < p.K; k++) { s += exp(z[o + k] - m); }
    if (label < p.K) {
      lsum += log(s) + m - (1.0 - p.eps) * z[o + label] - tk * zs;
      if (at == label) { hits++; }
    } else {
      // NaN built at run time: WGSL rejects a constant NaN.
      lsum += bitcast<f32>(0x7fc00000u | (p._a & 0u));
    }
    let inv = 1.0 / s;
    for (var k = 0u; k < p.K; k++) {
      let t = select(tk, 1.0 - p.eps + tk, k == label);
      dz[o + k] = p.gscale * (exp(z[o + k] - m) * inv - t);
    }
  }
  part_loss[li] = lsum;
  part_hits[li] = hits;
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h >>= 1u) {
    if (li < h) {
      part_loss[li] += part_loss[li + h];
      part_hits[li] += part_hits[li + h];
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    totals[0] += part_loss[0] * p.inv_b;
    count[0] += part_hits[0];
  }
}

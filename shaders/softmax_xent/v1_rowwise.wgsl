// softmax_xent v1 (one invocation per row): fused, numerically stable softmax + cross-entropy
// over logits [B, K] (row-major).
//   fwd:     loss[b] = logsumexp(z[b,:]) - z[b, label[b]]
//   fwd_bwd: the same loss, and dz[b,k] = gscale * (softmax(z[b,:])[k] - (k == label[b]))
//            (gscale = 1/B gives the gradient of the mean loss)
//   softmax: probs[b,k] = softmax(z[b,:])[k]   (prediction)
// A label >= K writes NaN so the error shows up in the loss instead of passing silently.
// Bindings: p {B, K, gscale}, z [B,K], labels [B] (u32), loss [B], dz [B,K] (the probabilities
//   for `softmax`). Needs common/index.wgsl (flat_id).
// Dispatch: one invocation per row, WG per workgroup, on a 2-D grid (row = flat_id).

struct P { B: u32, K: u32, gscale: f32, _pad: u32 }

override WG: u32;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> dz: array<f32>;

fn row_max(o: u32) -> f32 {
  var m = z[o];
  for (var k = 1u; k < p.K; k++) { m = max(m, z[o + k]); }
  return m;
}

fn row_sumexp(o: u32, m: f32) -> f32 {
  var s = 0.0;
  for (var k = 0u; k < p.K; k++) { s += exp(z[o + k] - m); }
  return s;
}

fn row_loss(o: u32, label: u32, m: f32, s: f32) -> f32 {
  // NaN built at run time: WGSL rejects a constant NaN.
  if (label >= p.K) { return bitcast<f32>(0x7fc00000u | (p._pad & 0u)); }
  return log(s) + m - z[o + label];
}

@compute @workgroup_size(WG)
fn fwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let b = flat_id(wid, nwg, li);
  if (b >= p.B) { return; }
  let o = b * p.K;
  let m = row_max(o);
  loss[b] = row_loss(o, labels[b], m, row_sumexp(o, m));
}

@compute @workgroup_size(WG)
fn fwd_bwd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let b = flat_id(wid, nwg, li);
  if (b >= p.B) { return; }
  let o = b * p.K;
  let label = labels[b];
  let m = row_max(o);
  let s = row_sumexp(o, m);
  loss[b] = row_loss(o, label, m, s);
  let inv = 1.0 / s;
  for (var k = 0u; k < p.K; k++) {
    let onehot = select(0.0, 1.0, k == label);
    dz[o + k] = p.gscale * (exp(z[o + k] - m) * inv - onehot);
  }
}

@compute @workgroup_size(WG)
fn softmax(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let b = flat_id(wid, nwg, li);
  if (b >= p.B) { return; }
  let o = b * p.K;
  let m = row_max(o);
  let inv = 1.0 / row_sumexp(o, m);
  for (var k = 0u; k < p.K; k++) { dz[o + k] = exp(z[o + k] - m) * inv; }
}

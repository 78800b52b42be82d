// optim v2: v1's update rules over one flat parameter buffer, with the gradient clear folded in
// and weight decay on a prefix only (the parameter store puts decayed tensors first).
//   wd_i = i < nd ? wd : 0   (biases and normalisation parameters sit past nd: no decay)
//   sgd:  g' = g + wd_i*w;  v = mu*v + g';  w -= lr * (NESTEROV ? g' + mu*v : v)
//   adam: ADAMW: w -= lr*wd_i*w, else g' = g + wd_i*w;  m = b1*m + (1-b1)*g';
//         v = b2*v + (1-b2)*g'^2;  w -= lr * (m/bc1) / (sqrt(v/bc2) + eps)
//   then grad[i] = 0, so the next step's backward accumulates from zero without a clear pass.
// Bindings: p (sgd leaves b1, b2, eps unused and bc1 = bc2 = 1), grad [n] (rw: read, then zeroed),
//   w [n] (rw), m [n] (sgd: the velocity; rw), v [n] (adam only; rw). Needs common/index.wgsl.
// Dispatch: one invocation per element, WG per workgroup, on a 2-D grid (id = flat_id).

struct P { n: u32, nd: u32, lr: f32, wd: f32, mu: f32, b1: f32, b2: f32, eps: f32, bc1: f32, bc2: f32, _a: u32, _b: u32 }

override WG: u32;
override NESTEROV: bool = false;
override ADAMW: bool = false;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(WG)
fn sgd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.n) { return; }
  let wd = select(0.0, p.wd, i < p.nd);
  let g = grad[i] + wd * w[i];
  grad[i] = 0.0;
  let vel = p.mu * m[i] + g;
  m[i] = vel;
  w[i] -= p.lr * select(vel, g + p.mu * vel, NESTEROV);
}

@compute @workgroup_size(WG)
fn adam(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.n) { return; }
  let wd = select(0.0, p.wd, i < p.nd);
  var wi = w[i];
  var g = grad[i];
  grad[i] = 0.0;
  if (ADAMW) { wi -= p.lr * wd * wi; } else { g += wd * wi; }
  let mi = p.b1 * m[i] + (1.0 - p.b1) * g;
  let vi = p.b2 * v[i] + (1.0 - p.b2) * g * g;
  m[i] = mi;
  v[i] = vi;
  w[i] = wi - p.lr * (mi / p.bc1) / (sqrt(vi / p.bc2) + p.eps);
}

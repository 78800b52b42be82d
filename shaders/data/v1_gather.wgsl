// data v1: builds a training batch on the GPU from the whole data set, which is uploaded once.
//   gather: for output pixel i of [B, 1, H, W]: b = i / (H*W), j = start + b (position in the
//   epoch's permutation), img = perm[j]; x = (pixel/255 - mean) * invStd, y[b] = labels[img].
//   With augment != 0 each sample gets a random rotation/scale/shift about the image centre from a
//   hash of (seed, j), sampled bilinearly with zero outside. Positions j >= count (a ragged last
//   batch) give x = 0 and label 0xFFFFFFFF, which no prediction matches.
// Layout: images are u8 pixels packed four to a u32 (little-endian), [count, H, W].
// Bindings: p, images [ceil(count*H*W/4)] (u32), labels [count] (u32), perm [count] (u32),
//   x [B,1,H,W] (f32 out), y [B] (u32 out). Needs common/index.wgsl (flat_id) and
//   common/hash.wgsl (hash01).
// Dispatch: one invocation per output pixel, WG per workgroup, on a 2-D grid (id = flat_id).

struct P {
  B: u32, start: u32, count: u32, H: u32,
  W: u32, augment: u32, seed: u32, _pad: u32,
  mean: f32, invStd: f32, maxShift: f32, tanHalf: f32,
  scaleJit: f32, _a: f32, _b: f32, _c: f32,
}

override WG: u32;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> images: array<u32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read> perm: array<u32>;
@group(0) @binding(4) var<storage, read_write> x: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<u32>;

fn pixel(img: u32, r: i32, c: i32) -> f32 {
  if (r < 0 || c < 0 || r >= i32(p.H) || c >= i32(p.W)) { return 0.0; }
  let k = img * p.H * p.W + u32(r) * p.W + u32(c);
  return f32((images[k >> 2u] >> ((k & 3u) * 8u)) & 0xffu);
}

fn bilinear(img: u32, sy: f32, sx: f32) -> f32 {
  let y0 = floor(sy);
  let x0 = floor(sx);
  let fy = sy - y0;
  let fx = sx - x0;
  let r = i32(y0);
  let c = i32(x0);
  let top = mix(pixel(img, r, c), pixel(img, r, c + 1), fx);
  let bot = mix(pixel(img, r + 1, c), pixel(img, r + 1, c + 1), fx);
  return mix(top, bot, fy);
}

@compute @workgroup_size(WG)
fn gather(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  let hw = p.H * p.W;
  if (i >= p.B * hw) { return; }
  let b = i / hw;
  let pix = i % hw;
  let j = p.start + b;
  if (j >= p.count) {
    x[i] = 0.0;
    if (pix == 0u) { y[b] = 0xffffffffu; }
    return;
  }
  let img = perm[j];
  if (pix == 0u) { y[b] = labels[img]; }
  let oy = f32(pix / p.W);
  let ox = f32(pix % p.W);
  var v: f32;
  if (p.augment == 0u) {
    v = pixel(img, i32(pix / p.W), i32(pix % p.W));
  } else {
    // Rotation from t = tan(angle/2): rational cos/sin are exact to f32 rounding, where the
    // builtins may be off by 2^-11 (enough to move a sample ~0.01 px at the image edge).
    let t = (2.0 * hash01(p.seed, 4u * j) - 1.0) * p.tanHalf;
    let s = 1.0 + (2.0 * hash01(p.seed, 4u * j + 1u) - 1.0) * p.scaleJit;
    let tx = (2.0 * hash01(p.seed, 4u * j + 2u) - 1.0) * p.maxShift;
    let ty = (2.0 * hash01(p.seed, 4u * j + 3u) - 1.0) * p.maxShift;
    let cx = f32(p.W - 1u) * 0.5;
    let cy = f32(p.H - 1u) * 0.5;
    let dx = ox - cx - tx;
    let dy = oy - cy - ty;
    let cs = (1.0 - t * t) / (1.0 + t * t);
    let sn = 2.0 * t / (1.0 + t * t);
    v = bilinear(img, (-sn * dx + cs * dy) / s + cy, (cs * dx + sn * dy) / s + cx);
  }
  x[i] = (v / 255.0 - p.mean) * p.invStd;
}

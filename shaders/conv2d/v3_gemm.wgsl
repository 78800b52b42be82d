// conv2d v3 (im2col + GEMM): the data movement around matmul/v4_vec4.wgsl. x [N,C,H,W], w [K,C,KH,KW].
//   Rows r < CKK = C*KH*KW index taps (c, kh, kw); columns j < NJ = N*OH*OW index outputs (n, oh, ow).
//   Every GEMM dimension is padded to a multiple of 4: KP = ceil4(CKK + 1), NP = ceil4(NJ),
//   KOP = ceil4(K). Row CKK of col is 1 and column CKK of wp is the bias, so the forward GEMM adds
//   the bias and the weight-gradient GEMM yields the bias gradient in the same column.
//   im2col:   col[KP, NP]  from x (0 in padding rows/columns and outside the image).
//   pack_w:   wp[KOP, KP]  from w and bias.
//   pack_dy:  dyp[KOP, NP] from dy [N,K,OH,OW].
//   col2im:   dx[n,c,ih,iw] (+)= sum of dcol[(c,kh,kw), (n,oh,ow)] over the taps that read it.
//   unpack_w / unpack_b: dw (+)= sum over z of part[z, k, r < CKK]; db (+)= sum of part[z, k, CKK].
// Bindings: p (conv2d/params.wgsl); im2col x -> col; pack_w w, bias -> wp; pack_dy dy -> dyp;
//   col2im dcol -> dx; unpack_w part -> dw; unpack_b part -> db.
// Dispatch: 1-D over a 2-D grid of WG-wide workgroups (flat_id): im2col one invocation per four
//   columns (NP/4), pack_dy one per column (NP), the others one per output element.

override WG: u32;
override ACCUMULATE: bool = false;

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> col: array<vec4f>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> wp: array<f32>;
@group(0) @binding(6) var<storage, read> dy: array<f32>;
@group(0) @binding(7) var<storage, read_write> dyp: array<f32>;
@group(0) @binding(8) var<storage, read> dcol: array<f32>;
@group(0) @binding(9) var<storage, read_write> dx: array<f32>;
@group(0) @binding(10) var<storage, read> part: array<f32>;
@group(0) @binding(11) var<storage, read_write> dw: array<f32>;
@group(0) @binding(12) var<storage, read_write> db: array<f32>;

// One invocation per four columns j0..j0+3: their (n, oh, ow) once, then a walk down the rows
// with running (c, kh, kw) and one vec4 store per row; per-element divisions and scalar stores
// dominate on SwiftShader.
@compute @workgroup_size(WG)
fn im2col(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let jq = flat_id(wid, nwg, li);
  let nq = p.NP / 4u;
  if (jq >= nq) { return; }
  var ow = (jq * 4u) % p.OW;
  var oh = (jq * 4u / p.OW) % p.OH;
  var n = jq * 4u / (p.OW * p.OH);
  var base: vec4u;
  var ih0: vec4i;
  var iw0: vec4i;
  var live: vec4<bool>;
  for (var t = 0u; t < 4u; t++) {
    live[t] = n < p.N;
    base[t] = min(n, p.N - 1u) * p.C * p.H * p.W;
    ih0[t] = i32(oh * p.SH) - i32(p.PH);
    iw0[t] = i32(ow * p.SW) - i32(p.PW);
    ow++;
    if (ow == p.OW) { ow = 0u; oh++; if (oh == p.OH) { oh = 0u; n++; } }
  }
  let hmax = vec4i(i32(p.H) - 1);
  let wmax = vec4i(i32(p.W) - 1);
  var r = 0u;
  for (var c = 0u; c < p.C; c++) {
    for (var kh = 0u; kh < p.KH; kh++) {
      let ih = ih0 + vec4i(i32(kh));
      let rowOk = live & (ih >= vec4i(0)) & (ih <= hmax);
      let row = base + (c * p.H + vec4u(clamp(ih, vec4i(0), hmax))) * p.W;
      for (var kw = 0u; kw < p.KW; kw++) {
        let iw = iw0 + vec4i(i32(kw));
        let o = row + vec4u(clamp(iw, vec4i(0), wmax));
        let v = vec4f(x[o.x], x[o.y], x[o.z], x[o.w]);
        col[r * nq + jq] = select(vec4f(0.0), v, rowOk & (iw >= vec4i(0)) & (iw <= wmax));
        r++;
      }
    }
  }
  col[r * nq + jq] = select(vec4f(0.0), vec4f(1.0), live);
  for (r++; r < p.KP; r++) { col[r * nq + jq] = vec4f(0.0); }
}

@compute @workgroup_size(WG)
fn pack_w(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.KOP * p.KP) { return; }
  let k = i / p.KP;
  let r = i % p.KP;
  var v = 0.0;
  if (k < p.K && r < p.CKK) { v = w[k * p.CKK + r]; }
  if (k < p.K && r == p.CKK) { v = bias[k]; }
  wp[i] = v;
}

// One invocation per column j, walking the channels.
@compute @workgroup_size(WG)
fn pack_dy(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let j = flat_id(wid, nwg, li);
  if (j >= p.NP) { return; }
  let s = p.OH * p.OW;
  let inside = j < p.N * s;
  let base = select(0u, (j / s) * p.K * s + j % s, inside);
  for (var k = 0u; k < p.KOP; k++) {
    let v = dy[base + min(k, p.K - 1u) * s];
    dyp[k * p.NP + j] = select(0.0, v, inside && k < p.K);
  }
}

// Each input reads the outputs oh with oh*SH + kh = ih + PH: walk oh over its valid range so the
// loop has no divisions (tap kh = ih + PH - oh*SH).
@compute @workgroup_size(WG)
fn col2im(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.N * p.C * p.H * p.W) { return; }
  let iw = i % p.W;
  let ih = (i / p.W) % p.H;
  let c = (i / (p.W * p.H)) % p.C;
  let n = i / (p.W * p.H * p.C);
  let th = ih + p.PH;
  let tw = iw + p.PW;
  // First oh with th - oh*SH < KH, i.e. oh > (th - KH) / SH; last with oh*SH <= th.
  let oh0 = select(0u, (th - p.KH) / p.SH + 1u, th >= p.KH);
  let oh1 = min(p.OH, th / p.SH + 1u);
  let ow0 = select(0u, (tw - p.KW) / p.SW + 1u, tw >= p.KW);
  let ow1 = min(p.OW, tw / p.SW + 1u);
  var acc = 0.0;
  for (var oh = oh0; oh < oh1; oh++) {
    let r0 = (c * p.KH + th - oh * p.SH) * p.KW;
    let col0 = (n * p.OH + oh) * p.OW;
    for (var ow = ow0; ow < ow1; ow++) {
      acc += dcol[(r0 + tw - ow * p.SW) * p.NP + col0 + ow];
    }
  }
  if (ACCUMULATE) { dx[i] += acc; } else { dx[i] = acc; }
}

@compute @workgroup_size(WG)
fn unpack_w(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.K * p.CKK) { return; }
  let o = (i / p.CKK) * p.KP + i % p.CKK;
  var s = 0.0;
  for (var z = 0u; z < p.Z; z++) { s += part[z * p.KOP * p.KP + o]; }
  if (ACCUMULATE) { dw[i] += s; } else { dw[i] = s; }
}

@compute @workgroup_size(WG)
fn unpack_b(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = flat_id(wid, nwg, li);
  if (i >= p.K) { return; }
  var s = 0.0;
  for (var z = 0u; z < p.Z; z++) { s += part[z * p.KOP * p.KP + i * p.KP + p.CKK]; }
  if (ACCUMULATE) { db[i] += s; } else { db[i] = s; }
}

// Shared by conv2d v4's three passes (included first): the register tile of an implicit GEMM.
//   Each invocation accumulates R rows (channels, R <= 16) x 4*PQ columns (pixels or taps,
//   PQ <= 4) in the named mat4x4f m{q}{p}: column i of m{q}{p} is row 4q+i over columns
//   4p..4p+3. Named matrices stay in registers (or plain stack spills); a dynamically indexed
//   private array costs a per-lane gather on SwiftShader. Matrices past the tile are dead code
//   once R and PQ are fixed. A step (one reduction index) loads R row values (zero past R,
//   never loaded) and 4*PQ column values and does R*4*PQ FMAs; a load costs far more than an
//   FMA on SwiftShader, so the tile is as large as the registers allow.
// The including file defines row(i) (row i's value at the current step, i < R) and store(q, p, m)
// (the epilogue of block m, rows 4q.. x columns 4p..).

override R: u32;
override PQ: u32;
// p.SH and p.SW as constants: SwiftShader's optimizer turns a branch on a uniform value into a
// select, so stride 1 would otherwise pay for stride 2's divisions on every step.
override SH: u32;
override SW: u32;
const RQ_MAX = 4u;

var<private> m00: mat4x4f;
var<private> m01: mat4x4f;
var<private> m02: mat4x4f;
var<private> m03: mat4x4f;
var<private> m10: mat4x4f;
var<private> m11: mat4x4f;
var<private> m12: mat4x4f;
var<private> m13: mat4x4f;
var<private> m20: mat4x4f;
var<private> m21: mat4x4f;
var<private> m22: mat4x4f;
var<private> m23: mat4x4f;
var<private> m30: mat4x4f;
var<private> m31: mat4x4f;
var<private> m32: mat4x4f;
var<private> m33: mat4x4f;

fn outer(col: vec4f, row: vec4f) -> mat4x4f {
  return mat4x4f(col * row.x, col * row.y, col * row.z, col * row.w);
}

// One reduction step of one row quad: r holds rows 4q..4q+3, c0..c3 the column quads.
fn rows(q: u32, r: vec4f, c0: vec4f, c1: vec4f, c2: vec4f, c3: vec4f) {
  if (q == 0u) {
    m00 += outer(c0, r);
    if (PQ > 1u) { m01 += outer(c1, r); }
    if (PQ > 2u) { m02 += outer(c2, r); }
    if (PQ > 3u) { m03 += outer(c3, r); }
  } else if (q == 1u) {
    m10 += outer(c0, r);
    if (PQ > 1u) { m11 += outer(c1, r); }
    if (PQ > 2u) { m12 += outer(c2, r); }
    if (PQ > 3u) { m13 += outer(c3, r); }
  } else if (q == 2u) {
    m20 += outer(c0, r);
    if (PQ > 1u) { m21 += outer(c1, r); }
    if (PQ > 2u) { m22 += outer(c2, r); }
    if (PQ > 3u) { m23 += outer(c3, r); }
  } else {
    m30 += outer(c0, r);
    if (PQ > 1u) { m31 += outer(c1, r); }
    if (PQ > 2u) { m32 += outer(c2, r); }
    if (PQ > 3u) { m33 += outer(c3, r); }
  }
}

// A step: row values come from row(i) (defined by the including file, i < R), columns c0..c3.
fn step(c0: vec4f, c1: vec4f, c2: vec4f, c3: vec4f) {
  rows(0u, vec4f(row(0u), rowz(1u), rowz(2u), rowz(3u)), c0, c1, c2, c3);
  if (R > 4u) { rows(1u, vec4f(row(4u), rowz(5u), rowz(6u), rowz(7u)), c0, c1, c2, c3); }
  if (R > 8u) { rows(2u, vec4f(row(8u), rowz(9u), rowz(10u), rowz(11u)), c0, c1, c2, c3); }
  if (R > 12u) { rows(3u, vec4f(row(12u), rowz(13u), rowz(14u), rowz(15u)), c0, c1, c2, c3); }
}

// row(i), or 0 without a load past R.
fn rowz(i: u32) -> f32 {
  if (i < R) { return row(i); }
  return 0.0;
}

fn store_all() {
  for (var q = 0u; q < RQ_MAX; q++) {
    if (4u * q >= R) { break; }
    for (var p = 0u; p < PQ; p++) { store(q, p, tile_block(q, p)); }
  }
}

fn tile_block(q: u32, p: u32) -> mat4x4f {
  switch (q * 4u + p) {
    case 0u: { return m00; } case 1u: { return m01; } case 2u: { return m02; } case 3u: { return m03; }
    case 4u: { return m10; } case 5u: { return m11; } case 6u: { return m12; } case 7u: { return m13; }
    case 8u: { return m20; } case 9u: { return m21; } case 10u: { return m22; } case 11u: { return m23; }
    case 12u: { return m30; } case 13u: { return m31; } case 14u: { return m32; } default: { return m33; }
  }
}

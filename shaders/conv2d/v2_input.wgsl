// Shared by conv2d v2's passes (included first): the input x and its zero-padded read.
@group(0) @binding(1) var<storage, read> x: array<f32>;

// x[n, c, ih, iw], 0 outside the image.
fn xat(n: u32, c: u32, ih: i32, iw: i32) -> f32 {
  let inside = ih >= 0 && ih < i32(p.H) && iw >= 0 && iw < i32(p.W);
  let o = ((n * p.C + c) * p.H + u32(clamp(ih, 0, i32(p.H) - 1))) * p.W + u32(clamp(iw, 0, i32(p.W) - 1));
  return select(0.0, x[o], inside);
}

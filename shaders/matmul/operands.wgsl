// Shared by matmul v1-v3 and v6 (included after sizes.wgsl): the operands A and B as f32.
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;

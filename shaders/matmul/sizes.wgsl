// Shared by matmul v1-v3, v5 and v6 (included before each): the sizes {M, N, K}, the transpose and
// accumulate switches, the workgroup size overrides, and the bindings p and C. The f32 operands
// A and B are in operands.wgsl (v1-v3, v6); v5 binds them as vec4 itself.
struct P { M: u32, N: u32, K: u32, _pad: u32 }

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override ACCUMULATE: bool = false;
override WG_X: u32;
override WG_Y: u32;

@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

// Shared by the batchnorm backward sums, v1 bwd_reduce and v2 bwd_sums (included after
// params.wgsl): their bindings. x, dy [N,C,S]; mean, variance (read), sum_dy, sum_dyx
// (written) [C].
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> variance: array<f32>;
@group(0) @binding(5) var<storage, read_write> sum_dy: array<f32>;
@group(0) @binding(6) var<storage, read_write> sum_dyx: array<f32>;

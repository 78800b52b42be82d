// Shared by the batchnorm elementwise passes apply and bwd_dx, v1 and v2 (included after
// params.wgsl): ACCUMULATE (bwd_dx adds into dx) and the bindings of both entries.
// x, y (written), dy, dx (written) [N,C,S]; mean, variance, gamma, beta, sum_dy, sum_dyx [C].
override ACCUMULATE: bool = false;

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read> variance: array<f32>;
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read> beta: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>;
@group(0) @binding(7) var<storage, read> dy: array<f32>;
@group(0) @binding(8) var<storage, read> sum_dy: array<f32>;
@group(0) @binding(9) var<storage, read> sum_dyx: array<f32>;
@group(0) @binding(10) var<storage, read_write> dx: array<f32>;

// Shared by the batchnorm stats passes, v1 and v2 (included after params.wgsl): their bindings.
// x [N,C,S]; mean, variance (the batch's, written), running_mean, running_var (updated) [C].
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> variance: array<f32>;
@group(0) @binding(4) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> running_var: array<f32>;

// Shared by every conv2d pass: the one parameter block of the family, filled by name on the TS
// side (src/kernels/conv2d/geometry.ts convUniforms). Geometry: x [N,C,H,W], w [K,C,KH,KW],
// y [N,K,OH,OW], stride SH,SW, padding PH,PW. Fields a pass does not read are 0:
//   S, NCH:               v2 weight gradient, S batch chunks of NCH images each;
//   CKK, KP, NP, KOP, Z:  v3 GEMM sizes (taps, padded rows/columns/channels, split-K slices).
struct P {
  N: u32, C: u32, H: u32, W: u32,
  K: u32, KH: u32, KW: u32, OH: u32,
  OW: u32, SH: u32, SW: u32, PH: u32,
  PW: u32, S: u32, NCH: u32, CKK: u32,
  KP: u32, NP: u32, KOP: u32, Z: u32,
}

@group(0) @binding(0) var<uniform> p: P;

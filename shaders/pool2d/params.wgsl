// Shared by the pool2d versions (included before each): the geometry uniform and the workgroup size.
struct P {
  N: u32, C: u32, H: u32, W: u32,
  OH: u32, OW: u32, KH: u32, KW: u32,
  SH: u32, SW: u32, PH: u32, PW: u32,
}

override WG: u32;

@group(0) @binding(0) var<uniform> p: P;

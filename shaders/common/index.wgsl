// Shared: the linear invocation id of a 1-D kernel on a 2-D workgroup grid (gpu/dispatch.ts
// spreads more than 65,535 workgroups over y). Needs the including file's `override WG`.
fn flat_id(wid: vec3u, nwg: vec3u, li: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * WG + li;
}

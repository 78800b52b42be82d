// Roofline of the kernels: achieved GFLOP/s against arithmetic intensity (FLOP/byte), both from a
// kernel's declared flops/bytes and its measured time, log-log, under the adapter's measured copy
// bandwidth (the slanted roof) and best matmul (the flat roof). SVG, drawn here.
import { decade, family, familyColor, FONT, svg, textWidth, tip } from './svg.js';

export interface RoofPoint { kernel: string; series: 'sweep' | 'step'; flops: number; bytes: number; us: number }
export interface Roofs { copyGBs: number; matmulGFLOPs: number; matmulLabel: string }
export interface RooflineChart { svg: SVGElement; plotted: number; noFlops: RoofPoint[]; untimed: RoofPoint[]; hiddenLabels: number }

const W = 1000, L = 74, R = 24, B = 54, PLOT_H = 470, LABEL_PX = 11;
const SERIES = { sweep: 'kernel sweep (bench size)', step: 'training step (per kernel, summed over its calls)' };

type Box = [number, number, number, number]; // x0, y0, x1, y1
const overlaps = (a: Box, b: Box) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

function marker(p: RoofPoint, x: number, y: number): SVGElement {
  const fill = familyColor(family(p.kernel));
  const label = `${p.kernel} (${p.series === 'step' ? 'training step' : 'sweep'}): ${(p.flops / p.us / 1e3).toPrecision(3)} GFLOP/s at ${(p.flops / p.bytes).toPrecision(3)} FLOP/byte, ${p.us.toFixed(1)} µs`;
  const attrs = { class: 'point', 'data-series': p.series, 'data-kernel': p.kernel, fill, stroke: '#fff', 'stroke-width': 1 };
  return p.series === 'sweep'
    ? svg('circle', { ...attrs, cx: x, cy: y, r: 4.5 }, tip(label))
    : svg('rect', { ...attrs, x: x - 4.5, y: y - 4.5, width: 9, height: 9, transform: `rotate(45 ${x} ${y})` }, tip(label));
}

/** Marker shape per series, colour per family present; wrapped into rows under the title. */
function legendFor(ok: RoofPoint[]): { legend: SVGElement; rows: number } {
  const items: Array<[number, (x: number, y: number) => SVGElement[]]> = [];
  for (const s of ['sweep', 'step'] as const) {
    if (!ok.some((p) => p.series === s)) continue;
    items.push([22 + textWidth(SERIES[s], 12), (x, y) => {
      const m = marker({ kernel: '', series: s, flops: 1, bytes: 1, us: 1 }, x + 5, y - 4);
      m.setAttribute('class', 'legend-mark');
      m.setAttribute('fill', '#666');
      return [m, svg('text', { x: x + 14, y }, SERIES[s])];
    }]);
  }
  for (const f of new Set(ok.map((p) => family(p.kernel))))
    items.push([24 + textWidth(f, 12), (x, y) => [svg('rect', { x: x + 1, y: y - 10, width: 10, height: 10, fill: familyColor(f) }), svg('text', { x: x + 14, y }, f)]]);
  const legend = svg('g', { 'font-size': 12 });
  let x = L, row = 0;
  for (const [w, draw] of items) {
    if (x + w > W - R && x > L) { x = L; row++; }
    legend.append(...draw(x, 42 + 18 * row));
    x += w;
  }
  return { legend, rows: row + 1 };
}

export function roofline(points: RoofPoint[], roofs: Roofs, title: string): RooflineChart {
  const ok = points.filter((p) => p.flops > 0 && p.bytes > 0 && p.us > 0);
  const noFlops = points.filter((p) => !(p.flops > 0) && p.us > 0);
  const untimed = points.filter((p) => !ok.includes(p) && !noFlops.includes(p));
  const I = (p: RoofPoint) => p.flops / p.bytes, G = (p: RoofPoint) => p.flops / p.us / 1e3;
  const ridge = roofs.matmulGFLOPs / roofs.copyGBs;
  const { legend, rows } = legendFor(ok);
  const T = 36 + 18 * rows, H = T + PLOT_H + B;
  const lo = (v: number) => 10 ** Math.floor(Math.log10(v)), hi = (v: number) => 10 ** Math.ceil(Math.log10(v));
  const x0 = lo(Math.min(ridge, ...ok.map(I)) / 1.5), x1 = hi(Math.max(ridge, ...ok.map(I)) * 1.5);
  const y0 = lo(Math.min(roofs.matmulGFLOPs / 10, ...ok.map(G)) / 1.5), y1 = hi(Math.max(roofs.matmulGFLOPs, ...ok.map(G)) * 1.5);
  const px = (v: number) => L + ((Math.log10(v) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * (W - L - R);
  const py = (v: number) => H - B - ((Math.log10(v) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * (H - T - B);
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', class: 'roofline', 'font-family': FONT, 'font-size': 12, role: 'img' });
  g.append(svg('text', { x: L, y: 20, 'font-size': 15, 'font-weight': 600 }, title));
  // Grid: every decade labelled, 2..9 in between as faint lines.
  for (let d = x0; d <= x1 * 1.0001; d *= 10) {
    for (let m = 2; m < 10 && d * m < x1; m++) g.append(svg('line', { x1: px(d * m), x2: px(d * m), y1: T, y2: H - B, stroke: '#f2f2f2' }));
    g.append(svg('line', { x1: px(d), x2: px(d), y1: T, y2: H - B, stroke: '#ddd' }), svg('text', { x: px(d), y: H - B + 17, 'text-anchor': 'middle', fill: '#444' }, decade(d)));
  }
  for (let d = y0; d <= y1 * 1.0001; d *= 10) {
    for (let m = 2; m < 10 && d * m < y1; m++) g.append(svg('line', { x1: L, x2: W - R, y1: py(d * m), y2: py(d * m), stroke: '#f2f2f2' }));
    g.append(svg('line', { x1: L, x2: W - R, y1: py(d), y2: py(d), stroke: '#ddd' }), svg('text', { x: L - 7, y: py(d) + 4, 'text-anchor': 'end', fill: '#444' }, decade(d)));
  }
  g.append(svg('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: 'none', stroke: '#999' }));
  g.append(svg('text', { x: (L + W - R) / 2, y: H - 12, 'text-anchor': 'middle', 'font-size': 13 }, 'arithmetic intensity (FLOP per byte moved, log scale)'));
  g.append(svg('text', { x: 16, y: (T + H - B) / 2, 'text-anchor': 'middle', 'font-size': 13, transform: `rotate(-90 16 ${(T + H - B) / 2})` }, 'achieved GFLOP/s (log scale)'));
  // The roofs: min(copy GB/s x intensity, matmul GFLOP/s), clipped to the plot.
  const start = Math.max(x0, y0 / roofs.copyGBs), bend = Math.min(Math.max(ridge, x0), x1);
  const corners = [[start, roofs.copyGBs * start], [bend, Math.min(roofs.copyGBs * bend, roofs.matmulGFLOPs)], [x1, roofs.matmulGFLOPs]].map(([x, y]) => [px(x), py(y)]);
  g.append(svg('polyline', { class: 'roof', points: corners.map((c) => c.join(',')).join(' '), fill: 'none', stroke: '#222', 'stroke-width': 2 }));
  const flat = `${roofs.matmulLabel} ceiling: ${roofs.matmulGFLOPs.toFixed(2)} GFLOP/s`;
  g.append(svg('text', { x: W - R - 6, y: py(roofs.matmulGFLOPs) - 7, 'text-anchor': 'end', 'font-size': 12, fill: '#222' }, flat));
  // The slanted roof's label sits just above it, a fifth of a decade in from its left end.
  const lx = start * 10 ** 0.2, ax = px(lx), ay = py(roofs.copyGBs * lx);
  const angle = (Math.atan2(py(roofs.copyGBs * lx * 10) - ay, px(lx * 10) - ax) * 180) / Math.PI;
  g.append(svg('text', { x: ax, y: ay - 6, 'font-size': 12, fill: '#222', transform: `rotate(${angle} ${ax} ${ay})` }, `copy ceiling: ${roofs.copyGBs.toFixed(2)} GB/s`));
  // Points, then labels where they fit (every point keeps its tooltip).
  const at = ok.map((p) => ({ p, x: px(I(p)), y: py(G(p)) }));
  const taken: Box[] = at.map(({ x, y }) => [x - 5, y - 5, x + 5, y + 5]);
  taken.push([W - R - 6 - textWidth(flat, 12), py(roofs.matmulGFLOPs) - 20, W - R, py(roofs.matmulGFLOPs) - 3]);
  // No label across the roofs: small boxes every few pixels along both segments.
  for (let k = 0; k < 2; k++) {
    const [[ax0, ay0], [ax1, ay1]] = [corners[k], corners[k + 1]], n = Math.ceil(Math.hypot(ax1 - ax0, ay1 - ay0) / 4);
    for (let i = 0; i <= n; i++) { const x = ax0 + ((ax1 - ax0) * i) / n, y = ay0 + ((ay1 - ay0) * i) / n; taken.push([x - 1.5, y - 1.5, x + 1.5, y + 1.5]); }
  }
  let hiddenLabels = 0;
  const labels = svg('g', { 'font-size': LABEL_PX, fill: '#333' });
  for (const { p, x, y } of [...at].sort((a, b) => a.y - b.y)) {
    const w = textWidth(p.kernel, LABEL_PX), h = LABEL_PX + 1;
    // Beside the point first, then just above or below it on either side.
    const spots: Array<[number, number]> = [[x + 7, y + 4], [x - 7 - w, y + 4], [x + 5, y - 6], [x + 5, y + 14], [x - 5 - w, y - 6], [x - 5 - w, y + 14]];
    const spot = spots.map(([tx, ty]) => [tx, ty - h + 2, tx + w, ty + 2] as Box).find((b) => b[0] >= L + 2 && b[2] <= W - R - 2 && b[1] >= T + 2 && b[3] <= H - B - 2 && !taken.some((t) => overlaps(t, b)));
    if (!spot) { hiddenLabels++; continue; }
    taken.push(spot);
    labels.append(svg('text', { x: spot[0], y: spot[3] - 2 }, p.kernel));
  }
  g.append(labels, ...at.map(({ p, x, y }) => marker(p, x, y)), legend);
  return { svg: g, plotted: ok.length, noFlops, untimed, hiddenLabels };
}

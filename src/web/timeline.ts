// Timeline of one training step: every dispatch's profiler span in order, one lane per kernel
// family (in the order families first run), bar width = GPU time. SVG, drawn here.
import type { KernelTiming } from '../gpu/profiler.js';
import { family, familyColor, FONT, linearTicks, svg, textWidth, tip } from './svg.js';

export interface TimelineChart { svg: SVGElement; bars: number; busyNs: number; spanNs: number }

const W = 1000, R = 24, T = 36, B = 46, LANE = 24, GAP = 4, LABEL_PX = 11;

export function timeline(spans: KernelTiming[], title: string): TimelineChart {
  const lanes = [...new Set(spans.map((s) => family(s.kernel)))];
  const L = 18 + Math.max(60, ...lanes.map((f) => textWidth(f, 12, 600)));
  const H = T + lanes.length * (LANE + GAP) + B;
  const end = Math.max(1, ...spans.map((s) => s.startNs + s.ns));
  // Microseconds for a short step, milliseconds otherwise.
  const [unit, per] = end >= 2e6 ? ['ms', 1e6] : ['µs', 1e3];
  const px = (ns: number) => L + (ns / end) * (W - L - R);
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', class: 'timeline', 'font-family': FONT, 'font-size': 12, role: 'img' });
  g.append(svg('text', { x: L, y: 20, 'font-size': 15, 'font-weight': 600 }, title));
  const axisY = T + lanes.length * (LANE + GAP);
  for (const t of linearTicks(end / per, 10)) {
    const x = px(t * per);
    g.append(svg('line', { x1: x, x2: x, y1: T, y2: axisY, stroke: '#e4e4e4' }), svg('text', { x, y: axisY + 16, 'text-anchor': 'middle', fill: '#444' }, String(Number(t.toPrecision(6)))));
  }
  g.append(svg('text', { x: (L + W - R) / 2, y: H - 8, 'text-anchor': 'middle', 'font-size': 13 }, `GPU time from the step's first dispatch (${unit}); bar width = the dispatch's span`));
  lanes.forEach((f, i) => {
    const y = T + i * (LANE + GAP);
    g.append(svg('rect', { x: L, y, width: W - L - R, height: LANE, fill: i % 2 ? '#fafafa' : '#f4f4f4' }),
      svg('text', { x: L - 8, y: y + LANE / 2 + 4, 'text-anchor': 'end', fill: familyColor(f), 'font-weight': 600 }, f));
  });
  const labels = svg('g', { 'font-size': LABEL_PX, fill: '#fff', 'pointer-events': 'none' });
  spans.forEach((s, i) => {
    const f = family(s.kernel), y = T + lanes.indexOf(f) * (LANE + GAP);
    const x = px(s.startNs), w = Math.max(1, px(s.startNs + s.ns) - x);
    const us = (ns: number) => (ns / 1e3).toFixed(1);
    // A thin white edge parts neighbours; a bar too thin for it keeps its full colour.
    const edge: Record<string, string | number> = w > 3 ? { stroke: '#fff', 'stroke-width': 0.6 } : {};
    g.append(svg('rect', { class: 'bar', 'data-kernel': s.kernel, x, y: y + 2, width: w, height: LANE - 4, fill: familyColor(f), 'shape-rendering': 'crispEdges', ...edge },
      tip(`#${i + 1} ${s.kernel}: ${us(s.ns)} µs, from ${us(s.startNs)} µs`)));
    // The lane names the family: a bar wide enough shows the rest of the kernel name.
    const name = s.kernel.slice(f.length + 1);
    if (textWidth(name, LABEL_PX) + 6 < w) labels.append(svg('text', { x: x + 3, y: y + LANE / 2 + 4 }, name));
  });
  g.append(labels, svg('line', { x1: L, x2: W - R, y1: axisY, y2: axisY, stroke: '#999' }));
  return { svg: g, bars: spans.length, busyNs: spans.reduce((t, s) => t + s.ns, 0), spanNs: end };
}

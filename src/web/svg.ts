// Small SVG helpers for the benchmark page's charts (roofline.ts, timeline.ts): no chart library.
const NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Record<string, string | number> = {}, ...kids: Array<Node | string>): SVGElement {
  const e = document.createElementNS(NS, tag) as SVGElement;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  e.append(...kids);
  return e;
}

/** A hover tooltip for an SVG element. */
export const tip = (text: string) => svg('title', {}, text);

export const FONT = 'system-ui, sans-serif';
let measurer: CanvasRenderingContext2D | null = null;

/** Rendered width of `text` at `px` in the charts' font (to place labels without overlaps). */
export function textWidth(text: string, px: number, weight = 400): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (!measurer) return text.length * px * 0.6;
  measurer.font = `${weight} ${px}px ${FONT}`;
  return measurer.measureText(text).width;
}

/** Colours by kernel family (the part of a kernel name before the first dot), fixed per family name. */
const PALETTE = ['#3b6fd8', '#e0862b', '#3a9e4f', '#c8423d', '#8a5cc2', '#8c6239', '#d063a8', '#6f7782', '#b3a325', '#2aa7b8', '#1f3f8a', '#7fb04c', '#c98a8a'];
const FAMILY_ORDER = ['conv2d', 'matmul', 'pool2d', 'bias', 'relu', 'elementwise', 'reduce', 'softmax_xent', 'metrics', 'dropout', 'optim', 'data'];
export const family = (kernel: string) => kernel.split('.')[0];
export function familyColor(fam: string): string {
  // The pooling families (maxpool2d, avgpool2d) run kernels named pool2d.*: one colour for all.
  let i = FAMILY_ORDER.indexOf(fam.endsWith('pool2d') ? 'pool2d' : fam);
  if (i < 0) i = [...fam].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  return PALETTE[i % PALETTE.length];
}

/** Round steps (1, 2, 5 x 10^k) for a linear axis from 0 to `max`, about `n` of them. */
export function linearTicks(max: number, n = 8): number[] {
  const raw = max / n, p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
  return Array.from({ length: Math.floor(max / step) + 1 }, (_, i) => i * step);
}

/** 0.001 -> "0.001", 1e5 -> "100k": short labels for decades. */
export function decade(v: number): string {
  if (v >= 1e9) return `${v / 1e9}G`;
  if (v >= 1e6) return `${v / 1e6}M`;
  if (v >= 1e3) return `${v / 1e3}k`;
  return String(Number(v.toPrecision(1)));
}

// A minimal line chart on a canvas: enough for live loss/accuracy curves, no dependency.
export interface Series { name: string; color: string; points: Array<[number, number]> }

export class LineChart {
  readonly series: Series[];
  constructor(private canvas: HTMLCanvasElement, private title: string, series: Array<Omit<Series, 'points'>>, private yRange?: [number, number]) {
    this.series = series.map((s) => ({ ...s, points: [] }));
  }

  push(name: string, x: number, y: number): void {
    const s = this.series.find((t) => t.name === name);
    if (!s) throw new Error(`chart ${this.title}: no series ${name}`);
    if (Number.isFinite(y)) s.points.push([x, y]);
    this.draw();
  }

  clear(): void {
    for (const s of this.series) s.points.length = 0;
    this.draw();
  }

  draw(): void {
    const c = this.canvas, g = c.getContext('2d');
    if (!g) return;
    const W = c.width, H = c.height, L = 48, R = 10, T = 22, B = 24;
    g.clearRect(0, 0, W, H);
    g.font = '12px system-ui, sans-serif';
    g.fillStyle = '#222';
    g.fillText(this.title, L, 14);
    const all = this.series.flatMap((s) => s.points);
    if (!all.length) return;
    const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
    const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1);
    let [y0, y1] = this.yRange ?? [Math.min(...ys), Math.max(...ys)];
    if (y1 - y0 < 1e-9) { y0 -= 0.5; y1 += 0.5; }
    const px = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
    const py = (y: number) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
    g.strokeStyle = '#ccc';
    g.strokeRect(L, T, W - L - R, H - T - B);
    g.fillStyle = '#555';
    for (const y of [y0, (y0 + y1) / 2, y1]) g.fillText(y.toPrecision(3), 2, py(y) + 4);
    g.fillText(String(Math.round(x0)), L, H - 6);
    g.fillText(String(Math.round(x1)), W - R - 40, H - 6);
    this.series.forEach((s, i) => {
      g.strokeStyle = s.color;
      g.fillStyle = s.color;
      g.fillText(s.name, W - R - 120, T + 14 + 14 * i);
      g.beginPath();
      s.points.forEach(([x, y], j) => (j ? g.lineTo(px(x), py(y)) : g.moveTo(px(x), py(y))));
      g.stroke();
      if (s.points.length === 1) g.fillRect(px(s.points[0][0]) - 2, py(s.points[0][1]) - 2, 4, 4);
    });
  }
}

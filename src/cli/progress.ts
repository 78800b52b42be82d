import type { Progress } from '../train/trainer.js';

const fmtTime = (s: number) => (!Number.isFinite(s) ? '--:--' : `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`);

/** One status line: a bar, loss, accuracy, images/s and ETA; redrawn in place on a TTY. */
export function progressLine(p: Progress, width = 24): string {
  const frac = p.step / p.steps;
  const fill = Math.round(frac * width);
  return `epoch ${p.epoch}/${p.epochs} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${p.step}/${p.steps} ` +
    `loss ${p.loss.toFixed(4)} acc ${(100 * p.acc).toFixed(1)}% ${Math.round(p.imagesPerSec)} img/s ETA ${fmtTime(p.etaSec)}`;
}

export function makeProgress(stream: NodeJS.WriteStream = process.stderr): (p: Progress) => void {
  return (p) => {
    const line = progressLine(p);
    // Not a terminal (CI logs): one line per report; the trainer already reports every N steps.
    if (stream.isTTY) stream.write(`\r${line}\x1b[K${p.step === p.steps ? '\n' : ''}`);
    else stream.write(`${line}\n`);
  };
}

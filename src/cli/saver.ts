// What `train` writes after each epoch: the checkpoint always (the latest state, for --resume),
// the model file only when the epoch is at least as good as the best so far. The checkpoint is
// written first, so an interrupted save leaves a checkpoint ahead of the model, which --resume
// repairs from the checkpoint's weights (see reconcile).
import { existsSync, readFileSync } from 'node:fs';
import { decodeSafetensors } from '../train/safetensors.js';
import { decodeModel } from '../train/model_file.js';
import { writeAtomic, WriteError, type WriteFs } from '../data/mnist.js';

export interface Saved { epoch: number; testAcc: number }
/** The model file on disk: what it holds, or why it cannot be read (undefined when absent). */
export type ModelState = Saved | { error: string } | undefined;

const pct = (a: number) => `${(100 * a).toFixed(2)}%`;

export function readModelState(path: string): ModelState {
  if (!existsSync(path)) return undefined;
  try {
    const bytes = new Uint8Array(readFileSync(path));
    decodeModel(bytes, path); // the whole file must load, not just its header
    const md = decodeSafetensors(bytes, path).metadata;
    const epoch = Number(md.epochs), testAcc = Number(md.test_accuracy);
    // A model without these (written by other tools) counts as worse than any epoch of this run.
    return { epoch: Number.isInteger(epoch) ? epoch : NaN, testAcc: Number.isFinite(testAcc) ? testAcc : -Infinity };
  } catch (e) {
    return { error: (e as Error).message.replace(`${path}: `, '') };
  }
}

/**
 * On --resume: the best model so far, and whether the model file must be rewritten from the
 * checkpoint (missing, unreadable, or behind a checkpoint epoch at least as good: an interrupted save).
 */
export function reconcile(out: string, ckpt: { epoch: number; testAcc?: number }, model: ModelState): { best?: Saved; repair?: string } {
  const fromCkpt: Saved = { epoch: ckpt.epoch, testAcc: ckpt.testAcc ?? -Infinity };
  const acc = ckpt.testAcc === undefined ? '' : `, test acc ${pct(ckpt.testAcc)}`;
  if (model === undefined) return { best: fromCkpt, repair: `${out} was missing; wrote the checkpoint's epoch ${ckpt.epoch}${acc} to it` };
  if ('error' in model) return { best: fromCkpt, repair: `${out} could not be read (${model.error}); rewrote it from the checkpoint's epoch ${ckpt.epoch}${acc}` };
  if (ckpt.testAcc !== undefined && !(model.epoch >= ckpt.epoch) && ckpt.testAcc >= model.testAcc)
    return { best: fromCkpt, repair: `repaired ${out}: it held epoch ${model.epoch} (test acc ${pct(model.testAcc)}) but the checkpoint's epoch ${ckpt.epoch} is at least as good (${pct(ckpt.testAcc)}), so a save was interrupted; rewrote it from the checkpoint` };
  return { best: model };
}

export class EpochSaver {
  /** Epoch of the checkpoint on disk when this run wrote or resumed it. */
  ckptEpoch?: number;

  constructor(readonly out: string, readonly ckpt: string, public best: Saved | undefined, private fs?: WriteFs) {}

  /** Writes the epoch's files; returns the line to print when the model file was kept instead. */
  save(r: Saved, modelBytes: Uint8Array, ckptBytes: Uint8Array): string | undefined {
    try {
      writeAtomic(this.ckpt, ckptBytes, this.fs);
    } catch (e) {
      throw e instanceof WriteError ? new Error(`${e.file}: ${e.reason}; ${this.intact(e.existed)}`) : e;
    }
    this.ckptEpoch = r.epoch;
    if (this.best && r.testAcc < this.best.testAcc)
      return `epoch ${r.epoch}: test acc ${pct(r.testAcc)} is below the best ${pct(this.best.testAcc)} (epoch ${this.best.epoch}); kept ${this.out} from epoch ${this.best.epoch}`;
    this.writeModel(modelBytes, (e) => `${e.file}: ${e.reason}; ${e.existed ? `the previous ${this.out}${this.epochOf(this.best)} is intact` : 'no model was written'}; ` +
      `${this.ckpt} holds epoch ${r.epoch}, and --resume writes the model from it`);
    this.best = r;
    return undefined;
  }

  /** Rewrites the model from the checkpoint (the repair reconcile asked for). */
  writeModel(bytes: Uint8Array, explain = (e: WriteError) => e.message): void {
    try {
      writeAtomic(this.out, bytes, this.fs);
    } catch (e) {
      throw e instanceof WriteError ? new Error(explain(e)) : e;
    }
  }

  /** "kept ... " for a run that stops: what is on disk now. */
  kept(): string {
    const fs = this.fs ?? { existsSync };
    if (!fs.existsSync(this.ckpt)) return 'no checkpoint was written';
    const model = fs.existsSync(this.out) ? ` and ${this.out}${this.epochOf(this.best)}` : '';
    return `kept ${this.ckpt}${this.ckptEpoch === undefined ? '' : ` (epoch ${this.ckptEpoch})`}${model}`;
  }

  private epochOf(s?: Saved): string {
    return s && Number.isInteger(s.epoch) ? ` (epoch ${s.epoch})` : '';
  }

  private intact(ckptExisted: boolean): string {
    const fs = this.fs ?? { existsSync };
    const files = [ckptExisted ? `${this.ckpt}${this.ckptEpoch === undefined ? '' : ` (epoch ${this.ckptEpoch})`}` : '',
      fs.existsSync(this.out) ? `${this.out}${this.epochOf(this.best)}` : ''].filter(Boolean);
    return files.length ? `the previous ${files.join(' and ')} ${files.length > 1 ? 'are' : 'is'} intact` : 'nothing was written';
  }
}

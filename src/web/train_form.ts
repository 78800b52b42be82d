// The train page's form. Its fields are named like `train`'s flags and go through the same code
// (parseArgs, hyperParams): a model's recipe fills them with the values the CLI would use, and a
// wrong value is the CLI's one-line message with the field's label in place of the flag.
import { intFlag, parseArgs, UsageError, type FlagSpec } from '../cli/args.js';
import { hyperParams } from '../cli/train_config.js';
import type { TrainConfig } from '../train/trainer.js';
import { recipeFor } from '../train/recipes.js';
import type { SelectionConfig } from '../kernels/select.js';

export interface PageTrainOptions { dataset: string; trainLimit?: number; testLimit?: number; cfg: TrainConfig; resume?: string; selection?: SelectionConfig }

/** Empty means none (no target) or the default (half an epoch), not a missing value. */
const OPTIONAL = new Set(['target-acc', 'eval-every']);

type Field = HTMLInputElement | HTMLSelectElement;
const fields = (form: HTMLFormElement) => [...form.elements].filter((e): e is Field => (e instanceof HTMLInputElement && e.type !== 'file') || e instanceof HTMLSelectElement);

/** What `train --model <model>` would use, in the fields the recipe covers; the rest keep their values. */
export function fillRecipe(form: HTMLFormElement, model: string): void {
  const r = recipeFor(model), h = hyperParams({}, r, {}, r.epochs);
  const values: Record<string, string> = {
    epochs: String(h.epochs), batch: String(h.batch), lr: String(h.optimizer.lr), optimizer: h.optimizer.type,
    schedule: h.schedule.kind, augment: h.augment ? '1' : '0', 'label-smoothing': String(h.labelSmoothing ?? 0),
  };
  for (const f of fields(form)) if (f.name in values) f.value = values[f.name];
}

/** The run the form describes, or the first wrong field in one line. */
export function readForm(form: HTMLFormElement): PageTrainOptions | string {
  const spec: FlagSpec = {}, argv: string[] = [];
  for (const f of fields(form)) {
    spec[f.name] = f.name === 'augment' ? 'boolean' : f.type === 'number' ? 'number' : 'string';
    if (f.name === 'augment') argv.push(`--augment=${f.value === '1'}`);
    else if (f.value.trim() !== '' || !OPTIONAL.has(f.name)) argv.push(`--${f.name}=${f.value}`);
  }
  try {
    const { flags } = parseArgs(argv, spec);
    const model = String(flags.model), r = recipeFor(model);
    const limit = (k: string) => intFlag(flags, k, 0, 0) || undefined; // 0: all
    return { dataset: String(flags.dataset), trainLimit: limit('train-limit'), testLimit: limit('test-limit'), cfg: { model, ...hyperParams(flags, r, {}, r.epochs) } };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return e.message.replace(/--([a-z-]+)/g, (flag, name: string) => labelOf(form, name) ?? flag);
  }
}

/** A field's label text without the control's own text (a select's options) or a note in brackets. */
function labelOf(form: HTMLFormElement, name: string): string | undefined {
  const label = fields(form).find((f) => f.name === name)?.closest('label');
  return label ? [...label.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').replace(/\s*\(.*\)\s*$/, '').trim() : undefined;
}

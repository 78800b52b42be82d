// An architecture (name, input, classes, layers) from JSON: a file the user names, a model
// file's metadata or a preset, all through checkArchitecture. Fields are checked by name here;
// whether a layer type exists and whether the shapes fit is asked of the model code itself
// (buildLayer, layerShapes), so a layer type the engine gains is accepted with no list to edit.
import { buildLayer } from './layers.js';
import { layerShapes, type ModelSpec } from './model.js';
import { ParamStore } from './params.js';
import { oneLine, quoted } from '../util/text.js';

const isInt = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;
type Rule = [ok: (v: unknown) => boolean, want: string];
const positive: Rule = [(v) => isInt(v, 1), 'a positive integer'];
/** Every layer field any layer type takes, by name. */
const FIELDS: Record<string, Rule> = {
  in: positive, out: positive, kernel: positive, stride: positive, channels: positive,
  padding: [(v) => isInt(v, 0), 'a non-negative integer'],
  rate: [(v) => typeof v === 'number' && v >= 0 && v < 1, 'a number in [0, 1)'],
  momentum: [(v) => typeof v === 'number' && v >= 0 && v <= 1, 'a number in [0, 1]'],
  eps: [(v) => typeof v === 'number' && v > 0 && Number.isFinite(v), 'a finite number > 0'],
};
/** The fields a layer type cannot do without (types not listed need none). */
const REQUIRED: Record<string, string[]> = {
  conv2d: ['in', 'out', 'kernel'], linear: ['in', 'out'], maxpool2d: ['kernel'], avgpool2d: ['kernel'], dropout: ['rate'],
};

/** 2^28 parameters: 1 GiB in each of the four flat buffers (weights, gradients, two optimizer slots). */
export const MAX_PARAMS = 2 ** 28;

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The architecture in `v` if the engine can build it; otherwise throws one line saying what is
 * wrong, naming the layer by index (`layer 3 (conv2d): kernel is missing`).
 */
export function checkArchitecture(v: unknown): ModelSpec {
  if (!isObject(v)) throw new Error('not a JSON object');
  if (typeof v.name !== 'string' || !/^[\x20-\x7e]{1,64}$/.test(v.name)) throw new Error(`name ${quoted(v.name)} is not a short printable string`);
  if (!Array.isArray(v.input) || v.input.length !== 3 || !v.input.every((d) => isInt(d, 1))) throw new Error(`input ${quoted(v.input)} is not 3 positive integers [C, H, W]`);
  if (!isInt(v.classes, 1)) throw new Error(`classes ${quoted(v.classes)} is not a positive integer`);
  if (!Array.isArray(v.layers) || !v.layers.length) throw new Error('layers is not a non-empty array');
  const probe = new ParamStore();
  v.layers.forEach((l: unknown, i) => {
    if (!isObject(l)) throw new Error(`layer ${i}: not a JSON object`);
    if (typeof l.type !== 'string') throw new Error(`layer ${i}: type ${l.type === undefined ? 'is missing' : `${quoted(l.type)} is not a string`}`);
    const where = `layer ${i} (${oneLine(l.type, 40)})`;
    for (const [k, x] of Object.entries(l)) {
      if (k === 'type') continue;
      if (!Object.hasOwn(FIELDS, k)) throw new Error(`${where}: unknown field ${quoted(k)}`);
      if (!FIELDS[k][0](x)) throw new Error(`${where}: ${k} ${quoted(x)} is not ${FIELDS[k][1]}`);
    }
    for (const k of Object.hasOwn(REQUIRED, l.type) ? REQUIRED[l.type] : []) if (l[k] === undefined) throw new Error(`${where}: ${k} is missing`);
    try {
      // A size taken from the layer before (batchnorm's channels) is checked by layerShapes below;
      // the probe gives it one channel, which only the parameter count sees.
      buildLayer(l as unknown as ModelSpec['layers'][number], probe, `${i}.${l.type}`, true, false, [1]);
    } catch (e) {
      throw new Error(`${where}: ${oneLine(e)}`);
    }
    // Counted before anything that size is allocated (the flat buffers hold 4 bytes a parameter).
    const params = probe.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
    if (params > MAX_PARAMS) throw new Error(`${where}: brings the model to ${params} parameters, more than the ${MAX_PARAMS} a model may have`);
  });
  const spec = v as unknown as ModelSpec;
  layerShapes(spec); // "layer 4 (linear): expects 400 features, gets [16, 4, 4]"
  return spec;
}

/** An architecture file's text; errors are one line starting with the file's name. */
export function parseArchitecture(text: string, file: string): ModelSpec {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${oneLine(e, 100)})`);
  }
  try {
    return checkArchitecture(v);
  } catch (e) {
    throw new Error(`${file}: ${oneLine(e, 300)}`);
  }
}

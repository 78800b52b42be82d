#!/usr/bin/env node
import { parseArgs, UsageError, type FlagSpec } from './args.js';
import { evaluateCommand, predictCommand, trainCommand } from './commands.js';
import { benchCommand, profileCommand } from './perf_commands.js';
import { setupCommand } from './setup.js';
import { kernelsCommand, SELECTION_FLAGS } from './selection.js';

const USAGE = `usage: webgpu-cnn <command> [options]
  train     --model cnn|lenet|keras --epochs N --batch N --lr X --optimizer adam|adamw|sgd --momentum X
            --weight-decay X --schedule cosine|step|constant --warmup N --seed N --augment[=false]
            --dataset mnist|fashion --train-limit N --test-limit N --out model.safetensors
            --checkpoint file --resume --log-every N --quiet --runtime node|browser --chromium path
  evaluate  --model model.safetensors --dataset mnist|fashion --test-limit N --mistakes grid.png
  predict   --model model.safetensors --image digit.png [more images ...]
  profile   --model lenet|keras|cnn --batch N --steps N --trace step.trace.json --runtime node|browser
  kernels   --model lenet,keras,cnn --batch N: each family's versions and the one chosen per shape, why, and the times
  setup     installs the Vulkan loader and chromium (SwiftShader) when missing (Linux, as root), else prints the command
  bench     --size tiny|mnist|large --reps N --model M --batch N --steps N --json out.json --trace file --runtime node|browser
GPU commands also take --kernels family=vN,... (force versions) and --autotune on|off (off: the built-in order);
autotune results are cached in $XDG_CACHE_HOME/webgpu-cnn/autotune.json (else ~/.cache/webgpu-cnn).
MNIST comes from MNIST_DIR, else data/mnist (downloaded once, SHA-256 checked).
--runtime browser drives the built pages (npm run build) in headless Chromium: --chromium, else CHROMIUM_PATH, else /usr/bin/chromium.`;

const COMMON: FlagSpec = { quiet: 'boolean', dataset: 'string', 'train-limit': 'number', 'test-limit': 'number' };
const SPECS: Record<string, FlagSpec> = {
  train: { ...COMMON, model: 'string', epochs: 'number', batch: 'number', lr: 'number', optimizer: 'string', momentum: 'number',
    'weight-decay': 'number', schedule: 'string', warmup: 'number', seed: 'number', augment: 'boolean', out: 'string',
    checkpoint: 'string', resume: 'boolean', 'log-every': 'number', runtime: 'string', chromium: 'string' },
  evaluate: { ...COMMON, model: 'string', mistakes: 'string', 'mistakes-count': 'number' },
  predict: { quiet: 'boolean', model: 'string', image: 'string' },
  kernels: { ...SELECTION_FLAGS, quiet: 'boolean', model: 'string', batch: 'number' },
  profile: { ...SELECTION_FLAGS, model: 'string', batch: 'number', steps: 'number', trace: 'string', runtime: 'string', chromium: 'string' },
  setup: {},
  bench: { ...SELECTION_FLAGS, size: 'string', reps: 'number', model: 'string', batch: 'number', steps: 'number', json: 'string', trace: 'string', runtime: 'string', chromium: 'string' },
};

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === 'help') { process.stdout.write(`${USAGE}\n`); return; }
  const spec = SPECS[cmd];
  if (!spec) throw new UsageError(`unknown command '${cmd}'\n${USAGE}`);
  const { flags, positional } = parseArgs(rest, spec);
  if (cmd === 'setup') return setupCommand();
  if (cmd === 'kernels') return kernelsCommand(flags);
  if (cmd === 'predict') return predictCommand(flags, positional);
  if (positional.length) throw new UsageError(`unexpected argument '${positional[0]}'`);
  if (cmd === 'train') return trainCommand(flags);
  if (cmd === 'profile') return profileCommand(flags);
  if (cmd === 'bench') return benchCommand(flags);
  return evaluateCommand(flags);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: Error) => {
    // Every failure a user can cause is one line; a stack only with DEBUG set.
    process.stderr.write(`error: ${e.message}\n`);
    if (process.env.DEBUG) process.stderr.write(`${e.stack}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);

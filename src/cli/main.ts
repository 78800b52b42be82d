#!/usr/bin/env node
import { parseArgs, UsageError, type FlagSpec } from './args.js';
import { evaluateCommand, predictCommand, trainCommand } from './commands.js';

const USAGE = `usage: webgpu-cnn <command> [options]
  train     --model cnn|lenet|keras --epochs N --batch N --lr X --optimizer adam|adamw|sgd --momentum X
            --weight-decay X --schedule cosine|step|constant --warmup N --seed N --augment[=false]
            --dataset mnist|fashion --train-limit N --test-limit N --out model.safetensors
            --checkpoint file --resume --log-every N --quiet
  evaluate  --model model.safetensors --dataset mnist|fashion --test-limit N --mistakes grid.png
  predict   --model model.safetensors --image digit.png [more images ...]
MNIST comes from MNIST_DIR, else data/mnist (downloaded once, SHA-256 checked).`;

const COMMON: FlagSpec = { quiet: 'boolean', dataset: 'string', 'train-limit': 'number', 'test-limit': 'number' };
const SPECS: Record<string, FlagSpec> = {
  train: { ...COMMON, model: 'string', epochs: 'number', batch: 'number', lr: 'number', optimizer: 'string', momentum: 'number',
    'weight-decay': 'number', schedule: 'string', warmup: 'number', seed: 'number', augment: 'boolean', out: 'string',
    checkpoint: 'string', resume: 'boolean', 'log-every': 'number' },
  evaluate: { ...COMMON, model: 'string', mistakes: 'string', 'mistakes-count': 'number' },
  predict: { quiet: 'boolean', model: 'string', image: 'string' },
};

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === 'help') { process.stdout.write(`${USAGE}\n`); return; }
  const spec = SPECS[cmd];
  if (!spec) throw new UsageError(`unknown command '${cmd}'\n${USAGE}`);
  const { flags, positional } = parseArgs(rest, spec);
  if (cmd === 'predict') return predictCommand(flags, positional);
  if (positional.length) throw new UsageError(`unexpected argument '${positional[0]}'`);
  if (cmd === 'train') return trainCommand(flags);
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

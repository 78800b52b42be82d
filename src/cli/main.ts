#!/usr/bin/env node
import { parseArgs, UsageError, type FlagSpec } from './args.js';
import { evaluateCommand, predictCommand } from './commands.js';
import { trainCommand } from './train_command.js';
import { benchCommand, profileCommand } from './perf_commands.js';
import { EXIT, usage } from './usage.js';
import { setupCommand } from './setup.js';
import { kernelsCommand, robustnessFromFlags, SELECTION_FLAGS } from './selection.js';
import { selftestCommand } from './selftest.js';
import { NoAdapterError } from '../gpu/node.js';
import { DivergedError } from '../train/trainer.js';

const COMMON: FlagSpec = { quiet: 'boolean', dataset: 'string', 'train-limit': 'number', 'test-limit': 'number' };
const SPECS: Record<string, FlagSpec> = {
  train: { ...COMMON, ...SELECTION_FLAGS, model: 'string', epochs: 'number', batch: 'number', lr: 'number', optimizer: 'string', momentum: 'number',
    'weight-decay': 'number', schedule: 'string', warmup: 'number', seed: 'number', augment: 'boolean', out: 'string',
    checkpoint: 'string', resume: 'boolean', 'log-every': 'number', runtime: 'string', chromium: 'string', 'label-smoothing': 'number',
    beta1: 'number', beta2: 'number', 'target-acc': 'number', 'eval-every': 'number' },
  evaluate: { ...COMMON, ...SELECTION_FLAGS, model: 'string', mistakes: 'string', 'mistakes-count': 'number' },
  predict: { ...SELECTION_FLAGS, quiet: 'boolean', model: 'string', image: 'string' },
  kernels: { ...SELECTION_FLAGS, quiet: 'boolean', model: 'string', batch: 'number' },
  setup: {},
  selftest: { ...SELECTION_FLAGS, quiet: 'boolean', filter: 'string' },
  profile: { ...SELECTION_FLAGS, model: 'string', batch: 'number', steps: 'number', trace: 'string', runtime: 'string', chromium: 'string' },
  bench: { ...SELECTION_FLAGS, size: 'string', reps: 'number', model: 'string', batch: 'number', steps: 'number', json: 'string', trace: 'string', runtime: 'string', chromium: 'string' },
};

const isHelp = (a: string) => a === '--help' || a === '-h';

/** Resolves with the exit code when a command has one of its own (selftest), else 0. */
async function main(argv: string[]): Promise<number | void> {
  const [cmd, ...rest] = argv;
  if (!cmd || isHelp(cmd) || cmd === 'help') { process.stdout.write(`${usage(SPECS[rest[0]] ? rest[0] : undefined)}\n`); return; }
  const spec = SPECS[cmd];
  if (!spec) throw new UsageError(`unknown command '${cmd}' (commands: ${Object.keys(SPECS).join(', ')}; webgpu-cnn --help for usage)`);
  if (rest.some(isHelp)) { process.stdout.write(`${usage(cmd)}\n`); return; }
  const { flags, positional } = parseArgs(rest, spec);
  if ('robustness' in spec) robustnessFromFlags(flags); // checked before anything slow
  if (cmd === 'setup') return setupCommand();
  if (cmd === 'kernels') return kernelsCommand(flags);
  if (cmd === 'predict') return predictCommand(flags, positional);
  if (positional.length) throw new UsageError(`unexpected argument '${positional[0]}'`);
  if (cmd === 'selftest') return selftestCommand(flags);
  if (cmd === 'train') return trainCommand(flags);
  if (cmd === 'profile') return profileCommand(flags);
  if (cmd === 'bench') return benchCommand(flags);
  return evaluateCommand(flags);
}

/** The exit code convention (documented in --help and the README). */
function exitCode(e: Error): number {
  if (e instanceof UsageError) return EXIT.usage;
  if (e instanceof NoAdapterError) return EXIT.device;
  if (e instanceof DivergedError) return EXIT.diverged;
  return EXIT.data;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? EXIT.ok),
  (e: Error) => {
    // Every failure a user can cause is one line; a stack only with DEBUG set.
    process.stderr.write(`error: ${e.message}\n`);
    if (process.env.DEBUG) process.stderr.write(`${e.stack}\n`);
    process.exit(exitCode(e));
  },
);

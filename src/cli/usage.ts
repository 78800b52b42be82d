// The --help text (all commands, or one with `<command> --help`) and the exit codes.

export const EXIT = { ok: 0, data: 1, usage: 2, device: 3, diverged: 4, selftest: 5 } as const;

const EXIT_TEXT = `exit codes: 0 done; 1 bad input or data (a missing, corrupt or unwritable file, a full disk);
  2 usage (unknown command or option, bad value); 3 no WebGPU adapter, or the device was lost;
  4 training diverged (loss NaN/Inf or above 1000; the last checkpoint and model are kept);
  5 selftest: a kernel or training step disagrees with its float64 reference`;

const COMMANDS: Record<string, string> = {
  train: `  train     --model bncnn|lenet|cnn|keras|fast|net.json --epochs N --batch N --lr X --optimizer adam|adamw|sgd
            --momentum X --beta1 X --beta2 X --weight-decay X --schedule cosine|onecycle|step|constant --warmup N --seed N
            --augment[=false] --label-smoothing X --target-acc PCT --eval-every N --dataset mnist|fashion
            --train-limit N --test-limit N --out model.safetensors --checkpoint file --resume --log-every N
            --quiet --runtime node|browser --chromium path`,
  evaluate: '  evaluate  --model model.safetensors --dataset mnist|fashion --test-limit N --mistakes grid.png --mistakes-count N',
  predict: '  predict   --model model.safetensors --image digit.png [more images ...]',
  profile: '  profile   --model lenet|keras|cnn|fast|bncnn|net.json --batch N --steps N --trace step.trace.json --runtime node|browser',
  kernels: '  kernels   --model lenet,keras,cnn,fast,bncnn,net.json --batch N: each family\'s versions, and per shape the one chosen, why, and the times',
  setup: '  setup     installs the Vulkan loader and chromium (SwiftShader) when missing (Linux, as root), else prints the command',
  selftest: '  selftest  --filter conv2d,matmul,step,lenet,... --quiet: every kernel version and each preset\'s training step vs float64',
  bench: '  bench     --size tiny|mnist|large --reps N --model M --batch N --steps N --json out.json --trace file --runtime node|browser',
};

const NOTES: Record<string, string> = {
  train: `--out holds the best epoch by test accuracy (an epoch below it says so and leaves the file alone);
the checkpoint (--checkpoint, default <out>.ckpt.safetensors) holds the latest epoch, which --resume
continues with its settings unless flags override them, repairing the model file if a save was cut short.
--model takes a preset or an architecture file: JSON like a model file's architecture metadata,
{"name": "net", "input": [1, 28, 28], "classes": 10, "layers": [{"type": "conv2d", "in": 1, "out": 8,
"kernel": 3}, {"type": "relu"}, {"type": "flatten"}, {"type": "linear", "in": 5408, "out": 10}]}.
Presets bring their recipe, flags win: bncnn (the default on a GPU) 8 epochs, batch 128, adam lr 0.005,
onecycle, augmented, label smoothing 0.1; fast batch 256, adam lr 0.01 betas 0.7/0.9, onecycle, 1 epoch.
--target-acc 99 evaluates on the test set every --eval-every steps (default half an epoch) and at each
epoch's end, stops at the first evaluation that reaches it, saves that model, and prints the time to it:
training wall time with the evaluations, without the data upload and pipeline compilation (printed apart).
Weight decay skips biases (and normalisation parameters). On a CPU adapter the run's duration is
estimated after its first steps.`,
  selftest: `--filter takes family names, step and preset names; the steps use the built-in kernel order unless
--kernels or --autotune on. One FAIL line per failing case, last 'N passed, M failed'; exit 5 when any failed.`,
};

const SELECTION = `GPU commands (train, evaluate, predict, profile, bench, kernels, selftest) also take --kernels family=vN,...
(force versions, e.g. conv2d=v2,matmul=v3) and --autotune on|off (off: the built-in order). Autotune times
each version the first time a shape is met and caches the choice per adapter in
$XDG_CACHE_HOME/webgpu-cnn/autotune.json (else ~/.cache/webgpu-cnn/autotune.json).
--robustness on|off (Node runtime; default WEBGPU_CNN_ROBUSTNESS, else off): on, Dawn clamps every buffer
access as a browser does, at a cost (1.7x per LeNet step on SwiftShader); off, the kernels' own bounds
guards are all there is (every kernel is tested for them).`;

const FOOTER = `MNIST comes from MNIST_DIR, else data/mnist (downloaded once, SHA-256 checked).
--runtime browser drives the built pages (npm run build) in headless Chromium: --chromium, else CHROMIUM_PATH, else /usr/bin/chromium.`;

export const hasCommand = (cmd: string) => cmd in COMMANDS;

/** The usage of one command, or of all of them. */
export function usage(cmd?: string): string {
  if (cmd) return [`usage: webgpu-cnn ${cmd} [options]`, COMMANDS[cmd], NOTES[cmd], cmd === 'setup' ? '' : SELECTION, EXIT_TEXT].filter(Boolean).join('\n');
  return [`usage: webgpu-cnn <command> [options]   (webgpu-cnn <command> --help for one)`, ...Object.values(COMMANDS), SELECTION, FOOTER, EXIT_TEXT].join('\n');
}

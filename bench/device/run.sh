#!/usr/bin/env bash
# The device kit's one command (made by bench/device/pack.sh): on a Linux x86-64 machine with
# nothing installed (no Node, npm or network), runs the engine's checks and measurements and
# writes into OUT: summary.txt, adapter.json and results.tar.gz (every step's log, bench JSON,
# step traces, the autotune cache, torch.json).
#
# Usage: run.sh [OUT] [--quick] [--only STEPS] [--target-acc N] [--budget S] [--train "ARGS"]...
#   OUT           the results folder (default: $OUT)
#   --quick       small batches, few steps, MNIST subsets: the whole run in minutes on a CPU adapter
#   --only        a comma list of: adapter,selftest,kernels,profile,bench,train,torch (default: all)
#   --target-acc  the accuracy the default model trains to, when train has --target-acc (default 99)
#   --budget      seconds for the whole run: each step's limit shrinks to what is left, so the
#                 summary is written before a caller's own limit (the device tool's 10 minutes) ends
#   --train       `train` arguments for one training step (repeatable); given, they replace the
#                 train step's lenet and default runs (each gets its own log, train-1, train-2, ...)
#   --cli         any CLI command with its arguments, e.g. "profile --model cnn --kernels conv2d=v4"
#                 (repeatable; run after the other steps, logs cli-1, cli-2, ...)
# Exit 0 when every step that ran passed, 1 otherwise; the results are written either way.
set -uo pipefail
KIT=$(cd "$(dirname "$0")" && pwd)
OUT_DIR=${OUT:-} QUICK=0 ONLY=adapter,selftest,kernels,profile,bench,train,torch TARGET=99 BUDGET=0
TRAINS=() CLIS=()
START=$(date +%s)
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --only) ONLY=${2:?--only needs a list}; shift ;;
    --only=*) ONLY=${1#--only=} ;;
    --target-acc) TARGET=${2:?--target-acc needs a number}; shift ;;
    --budget) BUDGET=${2:?--budget needs seconds}; shift ;;
    --train) TRAINS+=("${2:?--train needs the train arguments in one word}"); shift ;;
    --cli) CLIS+=("${2:?--cli needs a command and its arguments in one word}"); shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1 (run.sh --help)" >&2; exit 2 ;;
    *) OUT_DIR=$1 ;;
  esac
  shift
done
[ -n "$OUT_DIR" ] || { echo "run.sh: name the results folder (run.sh OUT) or set OUT" >&2; exit 2; }
for s in ${ONLY//,/ }; do
  case ",adapter,selftest,kernels,profile,bench,train,torch," in *",$s,"*) ;; *) echo "run.sh: unknown step '$s' in --only" >&2; exit 2 ;; esac
done
mkdir -p "$OUT_DIR" && OUT_DIR=$(cd "$OUT_DIR" && pwd) || exit 2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/webgpu-cnn-kit.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RES=$WORK/results
mkdir -p "$RES"
TABLE=$WORK/table.txt
FAILED=0

say() { echo "$*" | tee -a "$RES/run.log"; }

# --- unpack: node and dawn.node (xz, else Python's lzma), the app, the Vulkan loader -------------
unxz_to() {
  if command -v xz >/dev/null; then xz -dc "$1" > "$2"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
}
cp -r "$KIT/app" "$WORK/app"
mkdir -p "$WORK/bin" "$WORK/app/node_modules/webgpu/dist/linux-x64"
DAWN=$WORK/app/node_modules/webgpu/dist/linux-x64/dawn.node
unxz_to "$KIT/node.xz" "$WORK/bin/node" && unxz_to "$KIT/dawn.node.xz" "$DAWN" || { echo "run.sh: cannot unpack node/dawn.node (needs xz or python3)" >&2; exit 1; }
chmod +x "$WORK/bin/node"
NODE=$WORK/bin/node CLI=$WORK/app/dist/cli/main.js
export LD_LIBRARY_PATH=$KIT/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
# Containers often mount the NVIDIA driver's libraries here.
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && LD_LIBRARY_PATH=$LD_LIBRARY_PATH:$d; done
# dawn.node needs a recent libstdc++: the kit's copy only where the host's is older.
if ! "$NODE" -e 'require(process.argv[1])' "$DAWN" 2>"$RES/dawn-load.log"; then
  export LD_LIBRARY_PATH=$LD_LIBRARY_PATH:$KIT/compat
  "$NODE" -e 'require(process.argv[1])' "$DAWN" 2>>"$RES/dawn-load.log" && say "note: the host's libstdc++ is too old for dawn.node; using the kit's (compat/)"
fi

# The Vulkan driver: the loader's own search first; else the NVIDIA ICD where containers put it;
# else a manifest of our own for the NVIDIA Vulkan library if the driver has one.
ICDS=$(ls /etc/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json 2>/dev/null)
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && [ -z "$ICDS" ]; then
  for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
    [ -f "$f" ] && { export VK_DRIVER_FILES=$f; break; }
  done
  if [ -z "${VK_DRIVER_FILES:-}" ]; then
    lib=$(ls /usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0 /usr/lib64/libGLX_nvidia.so.0 /usr/local/nvidia/lib64/libGLX_nvidia.so.0 2>/dev/null | head -1)
    if [ -n "$lib" ]; then
      printf '{ "file_format_version": "1.0.0", "ICD": { "library_path": "%s", "api_version": "1.3.0" } }\n' "$lib" > "$WORK/nvidia_icd.json"
      export VK_DRIVER_FILES=$WORK/nvidia_icd.json
      say "note: no Vulkan ICD manifest on this machine; wrote one for $lib"
    fi
  fi
fi
# The autotune cache outlives one run, so a run split with --only keeps the first part's choices.
export MNIST_DIR=$KIT/mnist XDG_CACHE_HOME=${TMPDIR:-/tmp}/webgpu-cnn-kit-cache XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp} HOME=${HOME:-$WORK}

{
  echo "== machine"; uname -a; grep PRETTY_NAME /etc/os-release 2>/dev/null; ldd --version 2>&1 | head -1
  nproc; free -g 2>/dev/null | head -2
  echo "== nvidia-smi"; nvidia-smi 2>&1 || echo "(no nvidia-smi)"
  echo "== Vulkan: ICD manifests the loader finds: ${ICDS:-none}; VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  ls -l /usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d 2>&1
  ls /usr/lib/x86_64-linux-gnu/libGLX_nvidia* /usr/lib/x86_64-linux-gnu/libnvidia-* /usr/local/nvidia/lib64 2>&1 | head -40
  echo "== env"; env | grep -E '^(NVIDIA|CUDA|VK_)' | sort
} > "$RES/machine.log" 2>&1

# --- steps: each logs to results/NAME.log; a table of status and seconds for the summary --------
# step NAME SECONDS COMMAND...: runs COMMAND under a time limit.
step() {
  local name=$1 limit=$2 t0 rc secs status left; shift 2
  if [ "$BUDGET" -gt 0 ]; then
    # 20 s are kept for the summary and the archive.
    left=$((START + BUDGET - 20 - $(date +%s)))
    [ "$left" -ge 10 ] || { skip "$name" "the --budget is spent"; return; }
    [ "$left" -lt "$limit" ] && limit=$left
  fi
  say "== $name"
  t0=$(date +%s.%N)
  timeout --kill-after=10 "$limit" "$@" > "$RES/$name.log" 2>&1
  rc=$?
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  case $rc in 0) status=ok ;; 124|137) status="TIMEOUT(${limit}s)"; FAILED=1 ;; *) status="FAILED(rc=$rc)"; FAILED=1 ;; esac
  printf '%-22s %-16s %8s s\n' "$name" "$status" "$secs" >> "$TABLE"
  say "   $status in $secs s"
}
skip() { printf '%-22s %-16s %s\n' "$1" skipped "$2" >> "$TABLE"; say "== $1: skipped ($2)"; }
has() { case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

if [ $QUICK = 1 ]; then
  KB=8 PBATCHES="8 16" PSTEPS=2 BENCH="--size tiny --reps 3 --batch 8 --steps 1" LIMITS="--train-limit 1024 --test-limit 256" TORCH=--quick
else
  KB=64 PBATCHES="64 256" PSTEPS=20 BENCH="--size mnist --reps 20 --model cnn --batch 256 --steps 10" LIMITS="" TORCH=""
fi

if has adapter; then
  say "== adapter"
  timeout 120 "$NODE" "$WORK/app/adapter.mjs" > "$RES/adapter.json" 2> "$RES/adapter.log"
  rc=$?
  printf '%-22s %-16s\n' adapter "$([ $rc = 0 ] && echo ok || echo "FAILED(rc=$rc)")" >> "$TABLE"
  [ $rc = 0 ] || FAILED=1
  cp "$RES/adapter.json" "$OUT_DIR/adapter.json"
fi
has selftest && step selftest 600 "$NODE" "$CLI" selftest
has kernels && step kernels 600 "$NODE" "$CLI" kernels --model lenet,keras,cnn --batch $KB
if has profile; then
  for m in lenet keras cnn; do
    for b in $PBATCHES; do step "profile-$m-$b" 300 "$NODE" "$CLI" profile --model $m --batch $b --steps $PSTEPS --trace "$RES/profile-$m-$b.trace.json"; done
  done
fi
if has bench; then
  # shellcheck disable=SC2086
  step bench 600 "$NODE" "$CLI" bench $BENCH --json "$RES/bench.json"
  [ $QUICK = 1 ] || step bench-large 600 "$NODE" "$CLI" bench --size large --reps 10 --json "$RES/bench-large.json"
fi
if has train && [ ${#TRAINS[@]} -gt 0 ]; then
  i=0
  for a in "${TRAINS[@]}"; do
    i=$((i + 1))
    echo "train $a" > "$RES/train-$i.args"
    # shellcheck disable=SC2086
    step "train-$i" 600 "$NODE" "$CLI" train $a --out "$RES/train-$i.safetensors"
  done
elif has train; then
  # shellcheck disable=SC2086
  step train-lenet 600 "$NODE" "$CLI" train --model lenet --epochs 1 $LIMITS --out "$RES/lenet.safetensors"
  if "$NODE" "$CLI" train --help 2>/dev/null | grep -q -- '--target-acc'; then
    Q=""; [ $QUICK = 1 ] && Q="--epochs 1"
    # shellcheck disable=SC2086
    step train-default 600 "$NODE" "$CLI" train --target-acc "$TARGET" $Q $LIMITS --out "$RES/default.safetensors"
  else skip train-default "this build's train has no --target-acc"; fi
fi
if has torch; then
  if command -v python3 >/dev/null && python3 -c 'import torch' 2>/dev/null; then
    step torch 600 python3 "$KIT/torch_ref.py" --out "$RES/torch.json" $TORCH
  else skip torch "no python3 with torch"; fi
fi

i=0
for a in "${CLIS[@]}"; do
  i=$((i + 1))
  echo "$a" > "$RES/cli-$i.args"
  # shellcheck disable=SC2086
  step "cli-$i" 600 "$NODE" "$CLI" $a
done

# --- summary and the results folder (at most 8 files of 16 MiB for the device tool) -------------
rm -f "$RES"/*.safetensors
cp "$XDG_CACHE_HOME/webgpu-cnn/autotune.json" "$RES/" 2>/dev/null
{
  echo "webgpu-cnn device kit run, $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)$([ $QUICK = 1 ] && echo ', --quick')"
  head -6 "$KIT/MANIFEST"
  grep -m1 -E 'NVIDIA-SMI|GPU 0' "$RES/machine.log" 2>/dev/null
  echo; cat "$TABLE" 2>/dev/null
  [ -f "$RES/adapter.json" ] && { echo; echo "== adapter (adapter.json)"; grep -E '"(source|vendor|architecture|device|description|maxStorageBufferBindingSize|maxBufferSize|maxComputeWorkgroupStorageSize|maxComputeInvocationsPerWorkgroup)"' "$RES/adapter.json"; }
  [ -f "$RES/selftest.log" ] && { echo; echo "== selftest"; grep -E '^(adapter|FAIL)' "$RES/selftest.log"; tail -1 "$RES/selftest.log"; }
  [ -f "$RES/kernels.log" ] && { echo; echo "== kernels (autotune's choices)"; grep -vE '^autotune ' "$RES/kernels.log"; }
  for f in $(ls -v "$RES"/profile-*.log 2>/dev/null); do [ -f "$f" ] && { echo; echo "== $(basename "$f" .log)"; grep -E '^([a-z]+, batch|kernels:|wall clock)' "$f"; }; done
  for f in "$RES"/bench.log "$RES"/bench-large.log; do [ -f "$f" ] && { echo; echo "== $(basename "$f" .log)"; grep -E '^ceilings' "$f"; grep -E 'ms/step' "$f" | head -2; }; done
  for f in $(ls -v "$RES"/train-*.log 2>/dev/null); do [ -f "$f" ] && { echo; echo "== $(basename "$f" .log)"; cat "${f%.log}.args" 2>/dev/null; grep -vE '^\s*$|^autotune |^epoch [0-9]+/[0-9]+ \[' "$f" | tail -8; }; done
  [ -f "$RES/torch.log" ] && { echo; echo "== torch"; cat "$RES/torch.log"; }
  for f in $(ls -v "$RES"/cli-*.log 2>/dev/null); do echo; echo "== $(basename "$f" .log): $(cat "${f%.log}.args")"; grep -vE '^autotune ' "$f" | head -60; done
} > "$OUT_DIR/summary.txt" 2>/dev/null
cp "$OUT_DIR/summary.txt" "$RES/"
tar -czf "$OUT_DIR/results.tar.gz" -C "$WORK" results
for f in "$OUT_DIR"/*; do
  [ "$(stat -c %s "$f")" -le $((16 * 1024 * 1024)) ] || say "warning: $f is over 16 MiB (the device tool returns at most 16 MiB a file)"
done
say "results: $OUT_DIR ($(ls "$OUT_DIR" | tr '\n' ' '))"
exit $FAILED

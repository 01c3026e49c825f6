#!/usr/bin/env bash
# Fault test: `clae train` killed with SIGKILL at random moments, many of
# them inside checkpoint writes, must never leave a checkpoint that does not
# load, a history that does not parse, or a run that cannot go on; and on
# --device ref the run finished through kills must end bit-identical (every
# weight and Adam moment, epoch, step, losses) to one that was never
# interrupted.
#   scripts/fault-test.sh [TRIALS] [CLAE]   (default 24 kills, build/clae)
# Each trial starts the run (fresh, or --resume OUT/last.safetensors), then
# kills it, in turn: at a random moment; at a random moment while a
# checkpoint is being written (a *.tmp.PID.* file exists; the test hook
# CLAE_FAULT_SLOW_WRITE_MS makes each write take about half a second); or
# just after last.safetensors is replaced, before the epoch's history line.
# After each kill: OUT/last.safetensors and best.safetensors (if any) load
# (`clae eval`) and OUT/history.jsonl (if any) plots. A run that reaches its last epoch is
# compared with the uninterrupted one (and its OUT/tb with its history.jsonl, read by the
# tensorboard package when .venv-check/ has it: scripts/check-venv.sh) and the next trial
# starts a new run.
# Data: a random CIFAR-shaped set (80 train, 16 test records); the denoiser
# with batch 16 (64 train / 16 validation images: 4 steps per epoch), 4 epochs.
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-24}
clae=$(realpath "${2:-build/clae}")
epochs=4
tmp=$(mktemp -d "${TMPDIR:-/tmp}/clae-fault.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/cifar"
for i in 1 2 3 4 5; do head -c $((16 * 3073)) /dev/urandom >"$tmp/cifar/data_batch_$i.bin"; done
head -c $((16 * 3073)) /dev/urandom >"$tmp/cifar/test_batch.bin"
sed 's/^batch *=.*/batch = 16/' configs/denoiser.cfg >"$tmp/fault.cfg"
train=("$clae" train "$tmp/fault.cfg" --data "$tmp/cifar" --device ref --epochs "$epochs" --quiet)

fail=0
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# The data section (every tensor) of a safetensors file, and its metadata value for a key.
hlen() { od -An -t u8 -j 0 -N 8 "$1" | tr -d ' '; }
tensors() { tail -c +$((9 + $(hlen "$1"))) "$1"; }
meta() { head -c $((8 + $(hlen "$1"))) "$1" | tail -c +9 | grep -o "\"$2\":\"[^\"]*\"" | cut -d'"' -f4; }
same_state() { # same_state A B: same tensors, bit for bit, and the same epoch, step and losses
  cmp -s <(tensors "$1") <(tensors "$2") || return 1
  for k in epoch step train_loss val_loss best_val_loss; do
    [ "$(meta "$1" "$k")" = "$(meta "$2" "$k")" ] || return 1
  done
}
epochs_of() { [ -s "$1/history.jsonl" ] && grep -o '"epoch": [0-9]*' "$1/history.jsonl" | awk '{print $2}' | tr '\n' ' '; }
untimed() { sed -E 's/, "images_per_s": [^,]*, "seconds": [^,]*//' "$1/history.jsonl"; } # the history less its timings

t0=$(date +%s.%N)
"${train[@]}" --out "$tmp/ref" >/dev/null
t_ref=$(echo "$(date +%s.%N) - $t0" | bc)
echo "uninterrupted run: $epochs epochs in ${t_ref}s; history epochs: $(epochs_of "$tmp/ref")"
want_epochs=$(epochs_of "$tmp/ref")

export CLAE_FAULT_SLOW_WRITE_MS=15
run=0 out="$tmp/run0" in_write=0 finished=0 resumed=0 kills=0
finish_check() { # the run in $out has reached its last epoch
  # As a user would after a kill: resume; it has nothing to train, but puts
  # back a history line lost between the last checkpoint and its append.
  if ! "${train[@]}" --out "$out" --resume "$out/last.safetensors" >"$tmp/log" 2>&1 ||
     ! grep -q "nothing to do" "$tmp/log"; then
    bad "run $run: resuming the finished run did not say 'nothing to do': $(tail -n 1 "$tmp/log")"
  fi
  for f in last best; do
    if same_state "$out/$f.safetensors" "$tmp/ref/$f.safetensors"; then
      echo "     run $run finished: $f.safetensors bit-identical to the uninterrupted run's"
    else
      bad "run $run: final $f.safetensors differs from the uninterrupted run's"
    fi
  done
  if cmp -s <(untimed "$out") <(untimed "$tmp/ref"); then
    echo "     run $run: history.jsonl has epochs $(epochs_of "$out")with the same losses, PSNR and accuracy"
  else
    bad "run $run: history.jsonl (epochs $(epochs_of "$out")) differs from the uninterrupted run's (epochs $want_epochs)"
  fi
  if compgen -G "$out/*.tmp.*" >/dev/null; then bad "run $run: temporary files left: $(cd "$out" && echo *.tmp.*)"; fi
  # OUT/tb read with TensorBoard's reader: every epoch of history.jsonl once (with .venv-check)
  if [ -x .venv-check/bin/python ] && ! .venv-check/bin/python tests/tensorboard_check.py "$out" >"$tmp/tb" 2>&1; then
    bad "run $run: OUT/tb differs from history.jsonl: $(grep tensorboard_check "$tmp/tb" | head -n 3 | tr '\n' ' ')"
  fi
  finished=$((finished + 1))
  run=$((run + 1)) out="$tmp/run$run"
}

for ((t = 1; t <= trials; t++)); do
  args=(--out "$out")
  if [ -f "$out/last.safetensors" ]; then args+=(--resume "$out/last.safetensors"); resumed=$((resumed + 1))
  else args+=(--overwrite); fi # a run killed before its first checkpoint starts again
  "${train[@]}" "${args[@]}" >"$tmp/log" 2>&1 &
  pid=$!
  mode=$((t % 3))
  if ((mode == 2)); then # inside a checkpoint write: wait for a temp file, then a random 0-400 ms
    for ((i = 0; i < 4000; i++)); do
      compgen -G "$out/*.tmp.$pid.*" >/dev/null && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.005
    done
    sleep "0.$(printf '%03d' $((RANDOM % 400)))"
  elif ((mode == 0)); then # as soon as last.safetensors is replaced (a new inode)
    ino=$(stat -c %i "$out/last.safetensors" 2>/dev/null || echo none)
    for ((i = 0; i < 4000; i++)); do
      [ "$(stat -c %i "$out/last.safetensors" 2>/dev/null || echo none)" != "$ino" ] && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.002
    done
  else # anywhere in the run
    sleep "$(echo "scale=3; $RANDOM / 32767 * $t_ref * 1.5" | bc)"
  fi
  during=no
  compgen -G "$out/*.tmp.$pid.*" >/dev/null && during=yes
  kill -9 "$pid" 2>/dev/null || during=exited
  rc=0
  { wait "$pid"; } 2>/dev/null || rc=$?
  [ "$during" = yes ] && in_write=$((in_write + 1))
  [ "$during" = exited ] || kills=$((kills + 1))
  if [ "$during" = exited ] && [ "$rc" -ne 0 ]; then
    bad "trial $t: the run failed on its own (exit $rc): $(tail -n 1 "$tmp/log")"
    continue
  fi
  ck="$out/last.safetensors" state="no checkpoint yet"
  if [ -f "$ck" ]; then
    if "$clae" eval "$ck" --data "$tmp/cifar" --device ref --limit 1 >/dev/null 2>"$tmp/err"; then
      state="checkpoint at epoch $(meta "$ck" epoch) step $(meta "$ck" step) loads"
    else
      bad "trial $t: $ck does not load: $(head -n 1 "$tmp/err")"
    fi
  fi
  if [ -f "$out/best.safetensors" ] &&
     ! "$clae" eval "$out/best.safetensors" --data "$tmp/cifar" --device ref --limit 1 >/dev/null 2>"$tmp/err"; then
    bad "trial $t: $out/best.safetensors does not load: $(head -n 1 "$tmp/err")"
  fi
  if [ -s "$out/history.jsonl" ] && ! "$clae" plot "$out/history.jsonl" "$tmp/h.png" >/dev/null 2>"$tmp/err"; then
    bad "trial $t: $out/history.jsonl does not plot: $(head -n 1 "$tmp/err")"
  fi
  when=("just after last.safetensors was replaced" "after a random delay" "after a write began")
  printf 'ok   trial %2d: killed %s%s; %s\n' "$t" \
    "$([ "$during" = exited ] && echo "too late (the run had ended)" || echo "${when[$mode]}")" \
    "$([ "$during" = yes ] && echo ', inside a checkpoint write' || true)" "$state"
  if [ -f "$ck" ] && [ "$(meta "$ck" epoch)" = "$epochs" ]; then finish_check; fi
done
# The run in progress: resume it to the end without kills.
if [ -f "$out/last.safetensors" ]; then
  "${train[@]}" --out "$out" --resume "$out/last.safetensors" >"$tmp/log" 2>&1 || bad "final resume failed: $(tail -n 1 "$tmp/log")"
  resumed=$((resumed + 1))
  finish_check
elif [ -d "$out" ]; then
  "${train[@]}" --out "$out" --overwrite >"$tmp/log" 2>&1 || bad "final run failed: $(tail -n 1 "$tmp/log")"
  finish_check
fi
echo "fault test: $trials trials, $kills killed by SIGKILL ($in_write inside a checkpoint write), $resumed resumes, $finished runs finished and compared; $fail failures"
[ "$fail" -eq 0 ]

# shellcheck shell=bash
# CLI checks for clae train's TensorBoard log, OUT/tb/events.out.tfevents.*
# (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok). The
# files are read back with the tensorboard package (tests/tensorboard_check.py
# against history.jsonl) when .venv-check/ has it (scripts/check-venv.sh, or
# $CLAE_CHECK_PYTHON); those checks say "skipped" without it.
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
tbd=$tmp/tb-cifar # a tiny random dataset: 5 x 8 train records (32 train, 8 validation), 8 test
mkdir -p "$tbd"
for i in 1 2 3 4 5; do head -c $((8 * 3073)) /dev/urandom >"$tbd/data_batch_$i.bin"; done
head -c $((8 * 3073)) /dev/urandom >"$tbd/test_batch.bin"
tbpy=${CLAE_CHECK_PYTHON:-.venv-check/bin/python}
tbpy_ok=0
if [ -x "$tbpy" ] && "$tbpy" -c "import tensorboard.backend.event_processing.event_accumulator" 2>/dev/null; then
  tbpy_ok=1
fi

tb_count() { find "$1/tb" -maxdepth 1 -name 'events.out.tfevents.*' 2>/dev/null | wc -l; }
# tb_expect NAME OUT N: OUT/tb holds N event files
tb_expect() {
  local n
  n=$(tb_count "$2")
  if [ "$n" -eq "$3" ]; then
    echo "ok   $1"; pass=$((pass + 1))
  else
    echo "FAIL $1: $n event files in $2/tb, expected $3:"; ls -la "$2" "$2/tb" 2>&1; fail=$((fail + 1))
  fi
}
# tb_read NAME OUT [--images]: tensorboard's reader agrees with OUT/history.jsonl
tb_read() {
  local name=$1; shift
  if [ "$tbpy_ok" != 1 ]; then
    echo "skipped $name: no $tbpy with tensorboard (scripts/check-venv.sh makes it)"
    return
  fi
  if "$tbpy" tests/tensorboard_check.py "$@" >"$tmp/tbout" 2>&1; then
    echo "ok   $name: $(tail -1 "$tmp/tbout")"; pass=$((pass + 1))
  else
    echo "FAIL $name:"; cat "$tmp/tbout"; fail=$((fail + 1))
  fi
}
tbtrain() { "$clae" train "$@" --data "$tbd" --device ref --quiet; }

# on by default: a file of scalars and the --samples images
tbo=$tmp/tb-run
expect_ok "tensorboard: train writes OUT/tb" "checkpoint" tbtrain configs/denoiser.cfg --epochs 2 \
  --samples 2 --out "$tbo"
tb_expect "tensorboard: one event file" "$tbo" 1
tb_read "tensorboard: scalars and samples as history.jsonl" "$tbo" --images
# a resume adds a file; the steps go on
expect_ok "tensorboard: resume" "checkpoint" tbtrain configs/denoiser.cfg --resume "$tbo/last.safetensors" \
  --epochs 3
tb_expect "tensorboard: a file per run" "$tbo" 2
# a resume from an earlier checkpoint: TensorBoard drops what the later
# epochs' first run wrote (SessionLog START), the same epochs once each
cp "$tbo/last.safetensors" "$tbo/epoch3.safetensors"
expect_ok "tensorboard: resume again" "checkpoint" tbtrain configs/denoiser.cfg \
  --resume "$tbo/last.safetensors" --epochs 4
expect_ok "tensorboard: resume from an earlier epoch" "checkpoint" tbtrain configs/denoiser.cfg \
  --resume "$tbo/epoch3.safetensors" --epochs 5
tb_expect "tensorboard: four runs, four files" "$tbo" 4
tb_read "tensorboard: resumed runs as history.jsonl (samples of the first)" "$tbo" --images=1,2
# an epoch whose event is missing (here epoch 2, trained without the log; as
# after a kill between an epoch's checkpoint and its event): the resume
# writes it again from the checkpoint's history line
expect_ok "tensorboard: epoch 1" "checkpoint" tbtrain configs/denoiser.cfg --epochs 1 --out "$tmp/tb-gap"
expect_ok "tensorboard: epoch 2 without it" "checkpoint" tbtrain configs/denoiser.cfg \
  --resume "$tmp/tb-gap/last.safetensors" --epochs 2 --no-tensorboard
expect_ok "tensorboard: a resume with nothing to do" "nothing to do" tbtrain configs/denoiser.cfg \
  --resume "$tmp/tb-gap/last.safetensors" --epochs 2
tb_read "tensorboard: a resume with nothing to do writes its epoch again" "$tmp/tb-gap"
expect_ok "tensorboard: epoch 3" "checkpoint" tbtrain configs/denoiser.cfg \
  --resume "$tmp/tb-gap/last.safetensors" --epochs 3
tb_read "tensorboard: a resume writes its first epoch again" "$tmp/tb-gap"
# --overwrite removes the old run's files
expect_ok "tensorboard: overwrite" "checkpoint" tbtrain configs/denoiser.cfg --out "$tbo" --overwrite
tb_expect "tensorboard: overwrite leaves the new run's file" "$tbo" 1
# a model with loss terms: train/kl and val/kl too (and, resumed, again
# from the checkpoint's history line)
expect_ok "tensorboard: vae" "checkpoint" tbtrain configs/vae.cfg --epochs 1 --out "$tmp/tb-vae"
expect_ok "tensorboard: vae resumed" "checkpoint" tbtrain configs/vae.cfg \
  --resume "$tmp/tb-vae/last.safetensors" --epochs 2
tb_read "tensorboard: loss terms as history.jsonl" "$tmp/tb-vae"
# off
expect_ok "tensorboard: --no-tensorboard" "checkpoint" tbtrain configs/denoiser.cfg \
  --no-tensorboard --out "$tmp/tb-off"
tb_expect "tensorboard: --no-tensorboard writes none" "$tmp/tb-off" 0
expect_ok "tensorboard: [train] tensorboard = 0" "checkpoint" tbtrain configs/denoiser.cfg \
  --set train.tensorboard=0 --out "$tmp/tb-off2"
tb_expect "tensorboard: [train] tensorboard = 0 writes none" "$tmp/tb-off2" 0
expect_fail "tensorboard: bad [train] tensorboard" "train.tensorboard=2: bad value '2': expected 0 or 1" \
  "$clae" train configs/denoiser.cfg --set train.tensorboard=2 --data "$tbd" --device ref \
  --out "$tmp/tb-bad"
# OUT/tb that cannot be made: a warning, the run goes on
mkdir -p "$tmp/tb-blocked" && : >"$tmp/tb-blocked/tb"
if tbtrain configs/denoiser.cfg --out "$tmp/tb-blocked" >"$tmp/out" 2>"$tmp/err" &&
  [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "cannot write the TensorBoard log" "$tmp/err" &&
  [ -f "$tmp/tb-blocked/last.safetensors" ]; then
  echo "ok   tensorboard: OUT/tb unwritable: one warning, trained"; pass=$((pass + 1))
else
  echo "FAIL tensorboard: OUT/tb unwritable:"; cat "$tmp/out" "$tmp/err"; fail=$((fail + 1))
fi

# shellcheck shell=bash
# CLI checks for the optimizer's options: learning-rate schedules, decoupled
# weight decay, global gradient clipping (sourced by tests/cli.sh: uses
# $clae, $tmp, expect_fail, expect_ok, pass, fail).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
optim_data="$tmp/optim-cifar" # a tiny random dataset: 5 x 8 train records, 8 test records
mkdir -p "$optim_data"
for i in 1 2 3 4 5; do head -c $((8 * 3073)) /dev/urandom >"$optim_data/data_batch_$i.bin"; done
head -c $((8 * 3073)) /dev/urandom >"$optim_data/test_batch.bin"
optim_train=("$clae" train configs/denoiser.cfg --data "$optim_data" --quiet --batch 8)

# bad values: one line naming the key, exit 2
for kv in "train.schedule=linear:expected constant, cosine, step or exponential" \
  "train.warmup_steps=-1:expected an integer >= 0" "train.decay_steps=0:expected an integer >= 1" \
  "train.decay_rate=1.5:expected a number in (0, 1]" "train.decay_alpha=2:expected a number in \[0, 1\]"; do
  set_kv=${kv%%:*} set_key=${kv%%=*}
  expect_fail "optim: --set $set_kv refused" "^clae: --set $set_kv: bad value .*: ${kv#*:}.* (key '${set_key#*.}')$" \
    "${optim_train[@]}" --device ref --out "$tmp/optim-bad" --set "$set_kv"
done

# every schedule trains, on the reference path and the device
for sched in cosine step exponential; do
  for dev in ref default; do
    devflag=(--device "$dev"); [ "$dev" = default ] && devflag=()
    expect_ok "optim: train with schedule = $sched on $dev" "" \
      "${optim_train[@]}" "${devflag[@]}" --out "$tmp/optim-$sched-$dev" --max-steps 6 \
      --set "train.schedule=$sched" --set train.warmup_steps=2 --set train.decay_steps=2
  done
done

# weight decay and clipping need Adam
expect_fail "optim: weight_decay with sgd refused" \
  "^clae: --set net.weight_decay=0.1: weight_decay needs optimizer = adam (sgd has none) (key 'weight_decay')$" \
  "${optim_train[@]}" --device ref --out "$tmp/optim-bad" --set net.optimizer=sgd --set net.weight_decay=0.1
expect_fail "optim: global_clipnorm with sgd refused" "global_clipnorm needs optimizer = adam" \
  "${optim_train[@]}" --device ref --out "$tmp/optim-bad" --set net.optimizer=sgd --set net.global_clipnorm=1
expect_fail "optim: --set net.weight_decay=-1 refused" "bad value '-1': expected a number in \[0, 1\] (key 'weight_decay')$" \
  "${optim_train[@]}" --device ref --out "$tmp/optim-bad" --set net.weight_decay=-1
expect_fail "optim: --set net.global_clipnorm=-1 refused" "bad value '-1': expected 0 (off) or a number .*(key 'global_clipnorm')$" \
  "${optim_train[@]}" --device ref --out "$tmp/optim-bad" --set net.global_clipnorm=-1

# The tensors of a checkpoint (weights and Adam moments: its data section,
# past the header that holds the timings)
optim_tensors() {
  local n
  n=$(od -An -tu8 -N8 "$1" | tr -d ' ')
  tail -c +$((9 + n)) "$1"
}
# resume-exact with a schedule, weight decay and clipping all on: 8 steps,
# against 5 steps and a resume for the other 3 (inside the second epoch of
# 4 steps), on the reference path and on the device
optim_on=(--set train.schedule=cosine --set train.warmup_steps=2 --set train.decay_steps=5
  --set net.weight_decay=0.01 --set net.global_clipnorm=0.05 --limit 40 --epochs 2)
for dev in ref default; do
  devflag=(--device "$dev"); [ "$dev" = default ] && devflag=()
  "${optim_train[@]}" "${devflag[@]}" "${optim_on[@]}" --out "$tmp/optim-all-$dev" >/dev/null 2>&1
  "${optim_train[@]}" "${devflag[@]}" "${optim_on[@]}" --out "$tmp/optim-part-$dev" --max-steps 5 \
    >/dev/null 2>&1
  "$clae" train --resume "$tmp/optim-part-$dev/last.safetensors" "${devflag[@]}" --quiet \
    >/dev/null 2>&1
  if [ -s "$tmp/optim-all-$dev/last.safetensors" ] &&
    cmp -s <(optim_tensors "$tmp/optim-all-$dev/last.safetensors") \
      <(optim_tensors "$tmp/optim-part-$dev/last.safetensors"); then
    echo "ok   optim: resume with schedule, weight decay, clipping on $dev: tensors byte-identical"
    pass=$((pass + 1))
  else
    echo "FAIL optim: resume with schedule, weight decay, clipping on $dev differs"
    fail=$((fail + 1))
  fi
done

# clae summary shows the options where set
expect_ok "optim: summary shows weight decay, clipping and the schedule" \
  "schedule cosine (warm-up 2 steps, decay_steps 4, decay_rate 0.1, decay_alpha 0.2)" \
  "$clae" summary tests/models/optim.cfg

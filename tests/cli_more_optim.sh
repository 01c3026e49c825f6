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

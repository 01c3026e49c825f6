# shellcheck shell=bash
# CLI checks that clae says what it does (issue 26, items 3-7): frozen parameters in the
# summary, a frozen random encoder warned about, the final test line labelled with its
# weights ([train] restore_best), a classifier scored by clae eval, --max-steps on resume
# (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok, pass, fail).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
h=$tmp/honest
mkdir -p "$h/cifar"
# expect_line NAME PATTERN FILE: a line of FILE (the last command's out or err) matches
expect_line() {
  if grep -q -- "$2" "$3"; then
    echo "ok   $1"; pass=$((pass + 1))
  else
    echo "FAIL $1: no line '$2' in:"; cat "$3"; fail=$((fail + 1))
  fi
}
expect_no_line() {
  if grep -q -- "$2" "$3"; then
    echo "FAIL $1: a line '$2' in:"; cat "$3"; fail=$((fail + 1))
  else
    echo "ok   $1"; pass=$((pass + 1))
  fi
}
# Random records in the official layout whose labels cycle 0..9: 5 x 16 train, 20 test.
honest_data() { # FILE RECORDS
  local i
  : >"$1"
  for ((i = 0; i < $2; i++)); do
    # shellcheck disable=SC2059  # the label byte, as an octal escape
    printf "\\$(printf '%03o' $((i % 10)))" >>"$1"
    head -c 3072 /dev/urandom >>"$1"
  done
}
for i in 1 2 3 4 5; do honest_data "$h/cifar/data_batch_$i.bin" 16; done
honest_data "$h/cifar/test_batch.bin" 20
printf 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n' >"$h/cifar/batches.meta.txt"

# ---- 3: summary counts the frozen layers' parameters as non-trainable ----
expect_ok "summary: trainable params without the frozen encoder" "^ Trainable params: 10,250 " \
  "$clae" summary configs/classify-codes.cfg
expect_line "summary: the frozen encoder's params are non-trainable" \
  "^ Non-trainable params: 1,392 " "$tmp/out"
expect_line "summary: names the frozen layers" "layers.0 to layers.3 frozen: \[train\] freeze = code" \
  "$tmp/out"

# ---- 4: a frozen encoder that starts random is warned about ----
expect_ok "train classify-codes without --transfer still runs" "stopped after 1 steps\|stopped after 1 step" \
  "$clae" train configs/classify-codes.cfg --data "$h/cifar" --device ref --out "$h/cc-random" \
  --max-steps 1 --quiet
expect_line "train: a frozen random encoder is warned about" \
  "^clae train: warning: \[train\] freeze = code keeps layers.0 to layers.3 at their random initialisation" \
  "$tmp/err"
"$clae" train configs/sparse-ae.cfg --data "$h/cifar" --device ref --out "$h/sae" --max-steps 1 \
  --quiet >/dev/null 2>&1
expect_ok "train classify-codes --transfer: the encoder taken" "^took 4 of this model's 6 tensors" \
  "$clae" train configs/classify-codes.cfg --transfer "$h/sae/last.safetensors" --data "$h/cifar" \
  --device ref --out "$h/cc" --max-steps 1 --quiet
expect_no_line "train --transfer of the whole encoder: no warning" "warning" "$tmp/err"
expect_ok "train --transfer of a part of the frozen encoder" "^took 2 of this model's 6 tensors" \
  "$clae" train <(sed 's/^filters = 16$/filters = 12/' configs/classify-codes.cfg) \
  --transfer "$h/sae/last.safetensors" --data "$h/cifar" --device ref --out "$h/cc-part" \
  --max-steps 1 --quiet
expect_line "train --transfer: the frozen tensors left random are warned about" \
  "warning: \[train\] freeze = code keeps layers.0 to layers.3 as they start, and 2 of their 4 tensors are not in .*sae/last.safetensors" \
  "$tmp/err"

# ---- 7: --max-steps on resume counts this invocation's steps, and a resume says what it will do
ms=("$clae" train configs/denoiser.cfg --data "$h/cifar" --device ref --batch 8 --epochs 3 --quiet)
expect_ok "train --max-steps 5" "^stopped after 5 steps (--max-steps 5; 5 steps taken in all)" \
  "${ms[@]}" --out "$h/ms" --max-steps 5
expect_ok "resume --max-steps 4: says what it will do" \
  "^resuming .*ms/last.safetensors at epoch 1 (step 5 of it), 5 steps taken; will stop after 4 more steps" \
  "$clae" train --resume "$h/ms/last.safetensors" --device ref --max-steps 4 --quiet
expect_line "resume --max-steps 4: stops after the 4 steps it took" \
  "^stopped after 4 steps (--max-steps 4; 9 steps taken in all)" "$tmp/out"
expect_ok "plain resume of a --max-steps run: says it trains to the run's epochs" \
  "^resuming .*ms/last.safetensors at epoch 2 (step 1 of it), 9 steps taken; will train to the end of epoch 3" \
  "$clae" train --resume "$h/ms/last.safetensors" --device ref
expect_line "plain resume of a --max-steps run: trains to the end" "^epoch 3/3 " "$tmp/out"

# ---- 6: clae eval scores a classifier: loss, accuracy, confusion matrix (text and JSON)
expect_ok "train a classifier" "^test loss [0-9.]*, accuracy" \
  "$clae" train configs/classify-pixels.cfg --data "$h/cifar" --device ref --out "$h/cls" --epochs 2
train_test=$(grep -o "^test loss [0-9.]*, accuracy [0-9.]*%" "$tmp/out")
expect_ok "eval a classifier: its test loss and accuracy" "^test loss [0-9.]*, accuracy [0-9.]*% ([0-9]* of 20 images)$" \
  "$clae" eval "$h/cls/last.safetensors" --device ref --json "$h/cls.json"
expect_line "eval a classifier: the same loss and accuracy as clae train's test line" "^$train_test " "$tmp/out"
expect_line "eval a classifier: a confusion matrix headed by the class names" \
  "^ *airplane automobile *bird *cat .* truck accuracy$" "$tmp/out"
expect_line "eval a classifier: a row per true class" "^truck *\( *[0-9]*\)\{10\} *[0-9.]*%$" "$tmp/out"
conf=$(python3 - "$h/cls.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
m = j["confusion"]
ok = (len(m) == 10 and all(len(r) == 10 for r in m) and sum(map(sum, m)) == j["images"] == 20
      and sum(m[k][k] for k in range(10)) == round(j["accuracy"] * 20)
      and j["classes"][0] == "airplane" and j["classes"][9] == "truck" and j["loss"] > 0)
print("ok" if ok else j)
PY
)
if [ "$conf" = ok ]; then
  echo "ok   eval --json of a classifier: confusion, classes, accuracy"; pass=$((pass + 1))
else
  echo "FAIL eval --json of a classifier: $conf"; fail=$((fail + 1))
fi
mv "$h/cifar/batches.meta.txt" "$h/meta.txt"
expect_ok "eval a classifier without class names: the labels as numbers" "^ *0 *1 *2 .* 9 accuracy$" \
  "$clae" eval "$h/cls/last.safetensors" --device ref --limit 10
mv "$h/meta.txt" "$h/cifar/batches.meta.txt"
expect_fail "show a classifier: points to clae eval" "is a classifier (target = labels), not an autoencoder: score it with clae eval" \
  "$clae" show "$h/cls/last.safetensors" "$h/cls.png"

# shellcheck shell=bash
# CLI checks that clae says what it does (issue 26, items 3-7): frozen parameters in the
# summary, a frozen random encoder warned about, the final test line labelled with its
# weights ([train] restore_best), a classifier scored by clae eval, --max-steps on resume
# (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok, random_records, pass, fail).
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
for i in 1 2 3 4 5; do random_records "$h/cifar/data_batch_$i.bin" 16; done
random_records "$h/cifar/test_batch.bin" 20
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

# same_test NAME TRAIN_LINE FILE: FILE's "test loss L, accuracy A%" line has train's accuracy and
# its loss within 1e-5 (clae train sums the batches' float losses, clae eval in double)
same_test() {
  local got
  got=$(python3 - "$2" "$3" <<'PY'
import re, sys
pat = re.compile(r"^test loss ([0-9.]+), accuracy ([0-9.]+)%", re.M)
a = pat.search(sys.argv[1])
b = pat.search(open(sys.argv[2]).read())
print("ok" if a and b and a.group(2) == b.group(2) and
      abs(float(a.group(1)) - float(b.group(1))) <= 1e-5 else "%s / %s" % (a and a.group(0), b and b.group(0)))
PY
)
  if [ "$got" = ok ]; then
    echo "ok   $1"; pass=$((pass + 1))
  else
    echo "FAIL $1: $got"; fail=$((fail + 1))
  fi
}

# ---- 6: clae eval scores a classifier: loss, accuracy, confusion matrix (text and JSON)
expect_ok "train a classifier" "^test loss [0-9.]*, accuracy" \
  "$clae" train configs/classify-pixels.cfg --data "$h/cifar" --device ref --out "$h/cls" --epochs 2
train_test=$(grep "^test loss" "$tmp/out")
expect_ok "eval a classifier: its test loss and accuracy" "^test loss [0-9.]*, accuracy [0-9.]*% ([0-9]* of 20 images)$" \
  "$clae" eval "$h/cls/last.safetensors" --device ref --json "$h/cls.json"
same_test "eval a classifier: the same loss and accuracy as clae train's test line" "$train_test" "$tmp/out"
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

# ---- 5: the final test line says which weights it used; [train] restore_best restores the best
# Seeded records (the same trajectory every time): a high rate that stops improving before the end.
mkdir -p "$h/det"
python3 - "$h/det" <<'PY'
import random, sys
r = random.Random(26)
def split(path, n):
    with open(path, "wb") as f:
        for i in range(n):
            f.write(bytes([i % 10]) + bytes(r.getrandbits(8) for _ in range(3072)))
for i in range(1, 6):
    split("%s/data_batch_%d.bin" % (sys.argv[1], i), 16)
split(sys.argv[1] + "/test_batch.bin", 20)
PY
cat >"$h/es.cfg" <<'CFG'
[net]
input = 32,32,3
batch = 8
lr = 0.3
[train]
epochs = 12
seed = 3
corrupt = blur
patience = 2
restore_best = 1
[conv2d]
filters = 4
size = 3
padding = same
activation = relu
[conv2d]
filters = 3
size = 3
padding = same
activation = sigmoid
CFG
# the tensors (not the Adam moments) of two checkpoints, equal or not, and a metadata key of the first
st_same() { # A B KEY
  python3 - "$@" <<'PY'
import json, struct, sys
def load(p):
    with open(p, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(n))
        body = f.read()
    return {k: body[v["data_offsets"][0]:v["data_offsets"][1]] for k, v in h.items()
            if k != "__metadata__" and "adam" not in k}, h["__metadata__"]
a, ma = load(sys.argv[1])
b, _ = load(sys.argv[2])
print("same" if a == b else "other", ma.get(sys.argv[3]))
PY
}
es=("$clae" train "$h/es.cfg" --data "$h/det" --device ref)
expect_ok "restore_best: early stopping restores the best epoch" \
  "^  stopping early: no lower val loss for 2 epochs (\[train\] patience); the best (epoch [0-9]*) is in best.safetensors and restored" \
  "${es[@]}" --out "$h/es"
expect_line "restore_best: the test line is the best weights'" \
  "^test MSE [0-9.]* (20 images) with the best weights (epoch [0-9]* of [0-9]*, restored: \[train\] restore_best)$" "$tmp/out"
restored_mse=$(sed -n 's/^test MSE \([0-9.]*\) .*/\1/p' "$tmp/out")
best=$(sed -n 's/.*the best (epoch \([0-9]*\)).*/\1/p' "$tmp/out")
got=$(st_same "$h/es/last.safetensors" "$h/es/best.safetensors" best_epoch)
if [ "$got" = "same $best,restored" ]; then
  echo "ok   restore_best: last.safetensors holds the best weights, marked restored"; pass=$((pass + 1))
else
  echo "FAIL restore_best: last.safetensors: '$got' (best epoch '$best')"; fail=$((fail + 1))
fi
expect_ok "restore_best: a resume of the restored run does nothing" \
  "the run is finished: \[train\] restore_best put the weights of its best epoch ($best) in it" \
  "$clae" train --resume "$h/es/last.safetensors" --device ref
expect_fail "restore_best: a resume of the restored run asking for more epochs" \
  "^clae train: --epochs 20: the run of .*es/last.safetensors is finished (\[train\] restore_best" \
  "$clae" train --resume "$h/es/last.safetensors" --device ref --epochs 20
# stopped after the best epoch, then resumed: the best weights come from best.safetensors
"${es[@]}" --out "$h/es2" --max-steps $((8 * best + 12)) --quiet >/dev/null 2>&1
expect_ok "restore_best: resumed after the best epoch, the same test line" \
  "^test MSE $restored_mse (20 images) with the best weights (epoch $best of " \
  "$clae" train --resume "$h/es2/last.safetensors" --device ref
got=$(st_same "$h/es2/last.safetensors" "$h/es/last.safetensors" best_epoch)
if [ "$got" = "same $best,restored" ]; then
  echo "ok   restore_best: resumed, the same last.safetensors"; pass=$((pass + 1))
else
  echo "FAIL restore_best: resumed: '$got'"; fail=$((fail + 1))
fi
expect_ok "without restore_best: the test line is the last weights', the best named" \
  "^test MSE [0-9.]* (20 images) with the last weights (epoch [0-9]*; the best, epoch $best, is in best.safetensors)$" \
  "${es[@]}" --out "$h/es3" --set train.restore_best=0
if grep -q "^test MSE $restored_mse " "$tmp/out"; then
  echo "FAIL without restore_best: the same test MSE as the restored run"; fail=$((fail + 1))
else
  echo "ok   without restore_best: another test MSE than the best weights'"; pass=$((pass + 1))
fi
expect_ok "a run whose last epoch is the best: says so" \
  "^test MSE [0-9.]* (20 images) with the last weights (epoch 1, the best)$" \
  "${es[@]}" --out "$h/es4" --epochs 1
# on the default device (OpenCL where there is one): the best weights reach the device
expect_ok "restore_best on the device: the best weights restored" "with the best weights (epoch" \
  "$clae" train "$h/es.cfg" --data "$h/det" --out "$h/es-dev"
dev_mse=$(sed -n 's/^test MSE \([0-9.]*\) .*/\1/p' "$tmp/out")
expect_ok "restore_best on the device: eval of best.safetensors" "^model " \
  "$clae" eval "$h/es-dev/best.safetensors" --data "$h/det"
eval_mse=$(awk '$1 == "model" {print $2}' "$tmp/out")
if python3 -c "import sys; sys.exit(abs(float('$dev_mse') - float('$eval_mse')) > 1e-5)" 2>/dev/null; then
  echo "ok   restore_best on the device: the test MSE is best.safetensors' ($dev_mse)"; pass=$((pass + 1))
else
  echo "FAIL restore_best on the device: test MSE '$dev_mse', best.safetensors' '$eval_mse'"; fail=$((fail + 1))
fi
expect_ok "eval a classifier on the device" "^test loss [0-9.]*, accuracy [0-9.]*% ([0-9]* of 20 images)$" \
  "$clae" eval "$h/cls/last.safetensors"
# a classifier trained on some classes is scored on those, as clae train tested it
expect_ok "train a classifier on classes 0,1" "^test loss [0-9.]*, accuracy [0-9.]*% (4 images)" \
  "$clae" train configs/classify-pixels.cfg --data "$h/cifar" --device ref --out "$h/cls01" \
  --epochs 1 --classes 0,1
train_test=$(grep "^test loss" "$tmp/out")
expect_ok "eval a classifier trained on classes 0,1: their test images" "^test loss [0-9.]*, accuracy [0-9.]*% ([0-9]* of 4 images)$" \
  "$clae" eval "$h/cls01/last.safetensors" --device ref
same_test "eval a classifier trained on classes 0,1: clae train's test numbers" "$train_test" "$tmp/out"
expect_fail "config: restore_best takes 0 or 1" "bad value '2': expected 0 or 1 (key 'restore_best')" \
  "$clae" summary <(sed 's/^restore_best = 1$/restore_best = 2/' "$h/es.cfg")

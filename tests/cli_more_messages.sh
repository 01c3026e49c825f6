# shellcheck shell=bash
# CLI checks of what clae says and how it exits (issue 26, items 8-10): progress frames only
# on a terminal, one checkpoint line, plurals, hints that point the right way, outputs
# checked before the work, one exit code per kind of mistake, Ctrl-C in the test pass.
# Sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok.
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
msg="$tmp/messages"
mkdir -p "$msg/cifar"
# 5 x 8 train records (32 train / 8 validation), 8 test records
for i in 1 2 3 4 5; do head -c $((8 * 3073)) /dev/urandom >"$msg/cifar/data_batch_$i.bin"; done
head -c $((8 * 3073)) /dev/urandom >"$msg/cifar/test_batch.bin"
mtrain=("$clae" train configs/denoiser.cfg --data "$msg/cifar" --device ref --batch 32)

# expect_rc NAME RC PATTERN CMD...: exit status exactly RC, one stderr line matching PATTERN,
# nothing on stdout (the mistake is found before any work)
expect_rc() {
  local name=$1 want=$2 pat=$3; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$? lines
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$tmp/err" &&
     [ ! -s "$tmp/out" ]; then
    echo "ok   $name (exit $rc): $(cat "$tmp/err")"; pass=$((pass + 1))
  else
    echo "FAIL $name: rc=$rc (want $want), $lines stderr lines, stdout:"
    cat "$tmp/out" "$tmp/err"; fail=$((fail + 1))
  fi
}
# check NAME CONDITION-COMMAND...: ok when the command succeeds
check() {
  local name=$1; shift
  if "$@"; then echo "ok   $name"; pass=$((pass + 1)); else echo "FAIL $name"; fail=$((fail + 1)); fi
}

# ---- item 8: progress, the last lines, plurals, '*' --------------------------------------
# not a terminal: one plain line per epoch, no \r frames
"${mtrain[@]}" --epochs 1 --out "$msg/plain" >"$msg/plain.log" 2>&1
check "train into a file: an epoch line, no \\r frames" \
  sh -c "grep -q '^epoch 1/1  train loss' '$msg/plain.log' && ! grep -q \$'\\r' '$msg/plain.log'"
# on a terminal (script(1) gives a pty): the bar's frames, unless --no-progress
if command -v script >/dev/null; then
  script -qec "'$clae' train configs/denoiser.cfg --data '$msg/cifar' --device ref --batch 8 \
    --epochs 1 --out '$msg/tty'" /dev/null >"$msg/tty.log" 2>&1
  check "train on a terminal: progress frames" grep -q $'\r''epoch 1/1 \[' "$msg/tty.log"
  script -qec "'$clae' train configs/denoiser.cfg --data '$msg/cifar' --device ref --batch 8 \
    --epochs 1 --no-progress --out '$msg/tty-np'" /dev/null >"$msg/tty-np.log" 2>&1
  check "train --no-progress on a terminal: no frames, the epoch line" \
    sh -c "grep -q '^epoch 1/1  train loss' '$msg/tty-np.log' &&
           ! grep -q 'epoch 1/1 \\[' '$msg/tty-np.log'"
else
  echo "skip train on a terminal: no script(1)"
fi
# --max-steps: "stopped after 1 step", the checkpoint named once
"${mtrain[@]}" --batch 8 --epochs 1 --max-steps 1 --out "$msg/steps" >"$msg/steps.log" 2>&1
check "train --max-steps 1: 'stopped after 1 step', one checkpoint line" \
  sh -c "grep -q '^stopped after 1 step (--max-steps 1; 1 step taken in all)\$' '$msg/steps.log' &&
         [ \$(grep -c 'checkpoint' '$msg/steps.log') -eq 1 ]"
check "train: '1 step per epoch'" grep -q "batch 32, 1 step per epoch$" "$msg/plain.log"
expect_ok "plot: '1 epoch'" "): 1 epoch, " "$clae" plot "$msg/plain/history.jsonl" "$msg/plot.png"
# one class folder of one image a split (PPM, which import reads)
mkdir -p "$msg/img1/train/cat" "$msg/img1/test/cat"
{ printf 'P6\n8 8\n255\n'; head -c 192 /dev/urandom; } >"$msg/img1/train/cat/a.ppm"
cp "$msg/img1/train/cat/a.ppm" "$msg/img1/test/cat/b.ppm"
expect_ok "data import: '1 test image', '1 class'" \
  "imported 1 train + 1 test image of 8x8x3 (HxWxC), 1 class, into" \
  "$clae" data import "$msg/img1" "$msg/img1-data" --threads 1
expect_ok "data info: '1 record'" "^train 1 record of" "$clae" data info "$msg/img1-data"
expect_ok "train --help explains '*'" "'\*' after the val loss marks the lowest so far" \
  "$clae" train --help

# ---- item 9: hints that point the right way ---------------------------------------------
expect_fail "--set net.KEY: layers --all" "\[net\] has no key 'zzzq' (clae layers --all lists every key)" \
  "${mtrain[@]}" --set net.zzzq=1 --out "$msg/no"
printf '[net]\ninput = 32,32,3\n[train]\nzzzqqq = 1\n[conv2d]\nfilters = 3\nsize = 3\n' >"$msg/key.cfg"
expect_fail "config [train] unknown key: layers --all" \
  "unknown key in \[train\]; clae layers --all lists every key" "$clae" summary "$msg/key.cfg"
expect_fail "--data of image folders: data import" \
  "img1 holds images, not training data: convert them with 'clae data import" \
  "${mtrain[@]}" --data "$msg/img1" --out "$msg/no"
mkdir -p "$msg/empty"
expect_fail "--data of an empty folder: says so" "empty holds no data .*; it is empty: fetch" \
  "${mtrain[@]}" --data "$msg/empty" --out "$msg/no"
expect_fail "--resume DIR: DIR/last.safetensors" \
  "is a directory, not a checkpoint file: did you mean $msg/plain/last.safetensors?" \
  "$clae" train --resume "$msg/plain"

# ---- item 10: outputs checked first, exit codes -----------------------------------------
ck="$msg/plain/last.safetensors"
expect_rc "eval --json DIR: before the table" 2 "clae eval: $msg: is a directory" \
  "$clae" eval "$ck" --device ref --json "$msg"
expect_rc "score DIR: before the scores" 2 "clae score: $msg: is a directory" \
  "$clae" score "$ck" "$msg" --device ref
expect_rc "score into a missing folder" 2 "cannot write: folder $msg/nowhere does not exist" \
  "$clae" score "$ck" "$msg/nowhere/s.csv" --device ref
expect_rc "encode into a missing folder" 2 "clae encode: .*nowhere" \
  "$clae" encode "$ck" "$msg/nowhere/c.npy" --device ref
expect_rc "export to a folder" 2 "clae export: $msg/: is a directory" "$clae" export "$ck" "$msg/"
expect_rc "show into a missing folder" 2 "clae show: .*nowhere" \
  "$clae" show "$ck" "$msg/nowhere/f.png" --device ref
expect_rc "denoise: OUT of no image type" 2 "unknown image type" \
  "$clae" denoise "$ck" "$msg/in.png" "$msg/out.txt"
expect_rc "plot: OUT of no image type" 2 "unknown image type" \
  "$clae" plot "$msg/plain/history.jsonl" "$msg/out.txt"
expect_rc "sample: OUT of no image type" 2 "unknown image type" \
  "$clae" sample "$ck" 4 "$msg/out.txt"
expect_rc "--device past the devices" 2 "no device 99: " "$clae" eval "$ck" --device 99
cp "$ck" "$msg/keep.safetensors"
expect_rc "init: an existing OUT is refused" 2 "keep.safetensors exists: .*--overwrite" \
  "$clae" init configs/denoiser.cfg "$msg/keep.safetensors"
check "init: the refused OUT is unchanged" cmp -s "$ck" "$msg/keep.safetensors"
expect_ok "init --overwrite replaces it" "keep.safetensors: 6,467 parameters" \
  "$clae" init configs/denoiser.cfg "$msg/keep.safetensors" --overwrite

# Ctrl-C during the final test pass: exit 130, the pass skipped, the checkpoint whole. 2,000
# test images on the reference path take seconds; the signal goes once history.jsonl has the
# epoch (written after the checkpoints, just before the test pass).
mkdir -p "$msg/big"
cp "$msg"/cifar/data_batch_*.bin "$msg/big/"
head -c $((2000 * 3073)) /dev/urandom >"$msg/big/test_batch.bin"
"$clae" train configs/denoiser.cfg --data "$msg/big" --device ref --batch 16 --epochs 1 \
  --out "$msg/int" >"$msg/int.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  grep -q '"epoch"' "$msg/int/history.jsonl" 2>/dev/null && break
  sleep 0.1
done
kill -INT "$pid"
wait "$pid"
rc=$?
if [ "$rc" -eq 130 ] && grep -q "interrupted during the test pass: test pass skipped" "$msg/int.log" &&
   ! grep -q "^test MSE" "$msg/int.log" &&
   "$clae" eval "$msg/int/last.safetensors" --data "$msg/cifar" --device ref >/dev/null 2>&1; then
  echo "ok   Ctrl-C in the test pass: exit 130, skipped, checkpoint loads"; pass=$((pass + 1))
else
  echo "FAIL Ctrl-C in the test pass: rc=$rc"; cat "$msg/int.log"; fail=$((fail + 1))
fi

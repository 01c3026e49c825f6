# shellcheck shell=bash
# CLI checks for 'clae tune' (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok,
# pass, fail): bad flags, a dry run writes nothing, a real run on a one-layer model writes the
# device's tuning file under its own cache folder, a training run then builds its kernels with
# the tuned parameters, and a damaged file is one warning, the defaults used.
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
tn=$tmp/tune
mkdir -p "$tn/cifar" "$tn/cache"
# the tuner's kernels in the user's PoCL cache (shapes of this model only), clae's own here
[ -d "${XDG_CACHE_HOME:-$HOME/.cache}/pocl" ] && ln -s "${XDG_CACHE_HOME:-$HOME/.cache}/pocl" "$tn/cache/pocl"
cat >"$tn/one.cfg" <<'EOF'
[net]
input = 32,32,3
batch = 4
loss = mse
[train]
validation_split = 0.2
[conv2d]
filters = 3
size = 3
padding = same
activation = sigmoid
EOF
for i in 1 2 3 4 5; do head -c $((10 * 3073)) /dev/urandom >"$tn/cifar/data_batch_$i.bin"; done
head -c $((10 * 3073)) /dev/urandom >"$tn/cifar/test_batch.bin"

expect_fail "tune: unknown flag" "unknown option '--frob'" "$clae" tune --frob
"$clae" tune --frob >/dev/null 2>&1
tn_rc=$?
if [ "$tn_rc" -eq 2 ]; then echo "ok   tune: a bad flag exits 2"; pass=$((pass + 1)); else
  echo "FAIL tune: a bad flag exits $tn_rc, not 2"; fail=$((fail + 1)); fi
expect_fail "tune: --repeats 0" "--repeats needs a whole number" "$clae" tune --repeats 0
expect_fail "tune: --budget-s -1" "--budget-s needs a whole number" "$clae" tune --budget-s -1
expect_fail "tune: --batch x" "--batch needs a whole number" "$clae" tune --batch x
expect_fail "tune: two configs" "unexpected argument" "$clae" tune "$tn/one.cfg" "$tn/one.cfg"
expect_fail "tune: --device ref" "reference path has no kernels" "$clae" tune --device ref
expect_fail "tune: missing config" "no-such.cfg" "$clae" tune "$tmp/no-such.cfg"
expect_ok "tune --help" "clae tune \[CONFIG\]" "$clae" tune --help
expect_ok "tune listed in clae --help" "tune " "$clae" --help

XDG_CACHE_HOME=$tn/cache expect_ok "tune --dry-run" "candidates (dry run" \
  "$clae" tune "$tn/one.cfg" --dry-run
if ls "$tn/cache/clae"/tune-*.json >/dev/null 2>&1; then
  echo "FAIL tune: --dry-run wrote a tuning file"; fail=$((fail + 1))
else
  echo "ok   tune: --dry-run wrote nothing"; pass=$((pass + 1))
fi

XDG_CACHE_HOME=$tn/cache expect_ok "tune --repeats 1 on a one-layer model" "wrote .*tune-" \
  "$clae" tune "$tn/one.cfg" --repeats 1 --budget-s 120
tn_file=$(ls "$tn/cache/clae"/tune-*.json 2>/dev/null | head -n 1)
if [ -n "$tn_file" ] && grep -q '"format":.*"clae-tune 1"' "$tn_file" &&
   grep -q '"conv -DGC=3 ' "$tn_file" && grep -q '"dw -DGC=3 ' "$tn_file" &&
   ! ls "$tn/cache/clae"/tune-*.tmp* >/dev/null 2>&1; then
  echo "ok   tune: the file holds the forward and weight-gradient shapes"; pass=$((pass + 1))
else
  echo "FAIL tune: no tuning file, or not the shapes:"; cat "$tmp/out" "$tn_file"; fail=$((fail + 1))
fi

# Training reads it: the forward kernel is built with the file's BLK (set to 1 here; the
# CPU default for 3 channels is 3). With the other tuned values (timing's choice) that can
# be a kernel no earlier run compiled: full stacks under ASan (asan_full_stacks).
if [ -n "$tn_file" ]; then
  tn_asan=$(asan_full_stacks)
  tn_ln=$(grep -n '"conv -DGC=3 ' "$tn_file" | cut -d: -f1)
  sed -i "$((tn_ln + 1))s/[0-9][0-9]*,/1,/" "$tn_file"
  ASAN_OPTIONS=$tn_asan XDG_CACHE_HOME=$tn/cache CLAE_VERBOSE=1 \
    "$clae" train "$tn/one.cfg" --data "$tn/cifar" \
    --max-steps 2 --epochs 1 --out "$tn/run" --quiet >"$tn/train.out" 2>"$tn/train.err"
  tn_rc=$?
  if [ "$tn_rc" -eq 0 ] && grep -q "tuned parameters from $tn_file" "$tn/train.err" &&
     grep -q -- "-DDC_KIND=1 -DGC=3 .*-DBLK=1 " "$tn/train.err"; then
    echo "ok   tune: clae train builds the forward kernel with the tuned BLK"; pass=$((pass + 1))
  else
    echo "FAIL tune: clae train (rc $tn_rc) did not use the tuning file:"
    grep -E "tuned|DC_KIND=1|clae:" "$tn/train.err" | head -n 8; tail -n 5 "$tn/train.err"
    fail=$((fail + 1))
  fi
  # A damaged file: one warning naming it, then the defaults (BLK=3) and a normal run.
  echo '{"format": "clae-tune 1", "entries": ' >"$tn_file"
  ASAN_OPTIONS=$tn_asan XDG_CACHE_HOME=$tn/cache CLAE_VERBOSE=1 \
    "$clae" train "$tn/one.cfg" --data "$tn/cifar" \
    --max-steps 2 --epochs 1 --out "$tn/run2" --quiet >"$tn/train2.out" 2>"$tn/train2.err"
  tn_rc=$?
  if [ "$tn_rc" -eq 0 ] &&
     [ "$(grep -c "warning: tuning file $tn_file is not valid JSON; using the defaults" "$tn/train2.err")" -eq 1 ] &&
     grep -q -- "-DDC_KIND=1 -DGC=3 .*-DBLK=3 " "$tn/train2.err"; then
    echo "ok   tune: a damaged tuning file is one warning, the defaults used"; pass=$((pass + 1))
  else
    echo "FAIL tune: damaged tuning file (rc $tn_rc):"; grep -E "warning|DC_KIND=1" "$tn/train2.err" | head -n 5
    tail -n 5 "$tn/train2.err"
    fail=$((fail + 1))
  fi
fi

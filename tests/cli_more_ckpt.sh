# shellcheck shell=bash
# CLI checks for 'clae init' (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
expect_ok "init denoiser" "ckpt-a.safetensors: 6,467 parameters" \
  "$clae" init configs/denoiser.cfg "$tmp/ckpt-a.safetensors"
expect_ok "init --seed" "seed 7$" "$clae" init configs/denoiser.cfg "$tmp/ckpt-b.safetensors" --seed 7
expect_ok "init --help" "usage: clae init CONFIG OUT" "$clae" init --help
if command -v python3 >/dev/null 2>&1; then
  expect_ok "init file loads in show-checkpoint.py" "layers.0.weight  *F32  *\[8,3,3,3\]" \
    python3 scripts/show-checkpoint.py "$tmp/ckpt-a.safetensors"
  expect_ok "init metadata" "format = \"clae-checkpoint-1\"" \
    python3 scripts/show-checkpoint.py "$tmp/ckpt-a.safetensors"
  expect_ok "init zero adam moments" "layers.6.bias.adam_v  *F32  *\[3\]  *0  *0  *0" \
    python3 scripts/show-checkpoint.py "$tmp/ckpt-a.safetensors"
fi
if cmp -s "$tmp/ckpt-a.safetensors" "$tmp/ckpt-b.safetensors"; then
  echo "FAIL init: --seed 7 gave the same file as the default seed"; fail=$((fail + 1))
else
  echo "ok   init: --seed changes the weights"; pass=$((pass + 1))
fi
"$clae" init configs/denoiser.cfg "$tmp/ckpt-c.safetensors" --seed=42 >/dev/null 2>&1
if cmp -s "$tmp/ckpt-a.safetensors" "$tmp/ckpt-c.safetensors"; then
  echo "ok   init: --seed=42 equals the config's seed 42 byte for byte"; pass=$((pass + 1))
else
  echo "FAIL init: --seed=42 differs from the default (config seed 42)"; fail=$((fail + 1))
fi
expect_fail "init missing args" "missing CONFIG and OUT" "$clae" init
expect_fail "init missing OUT" "missing OUT" "$clae" init configs/denoiser.cfg
expect_fail "init missing config" "^clae: no/such.cfg: cannot open: No such file or directory$" \
  "$clae" init no/such.cfg "$tmp/ckpt-x.safetensors"
expect_fail "init bad config" "^clae: tests/configs/filters_zero.cfg:10: bad value" \
  "$clae" init tests/configs/filters_zero.cfg "$tmp/ckpt-x.safetensors"
expect_fail "init bad --seed" "--seed needs a non-negative integer, got 'abc'" \
  "$clae" init configs/denoiser.cfg "$tmp/ckpt-x.safetensors" --seed abc
expect_fail "init negative --seed" "--seed needs a non-negative integer, got '-1'" \
  "$clae" init configs/denoiser.cfg "$tmp/ckpt-x.safetensors" --seed -1
expect_fail "init --seed overflow" "got '18446744073709551616'" \
  "$clae" init configs/denoiser.cfg "$tmp/ckpt-x.safetensors" --seed 18446744073709551616
expect_fail "init --seed without value" "--seed needs a value" \
  "$clae" init configs/denoiser.cfg "$tmp/ckpt-x.safetensors" --seed
expect_fail "init unknown option" "unknown option '--frob'" \
  "$clae" init configs/denoiser.cfg "$tmp/ckpt-x.safetensors" --frob
expect_fail "init extra argument" "unexpected argument 'z'" \
  "$clae" init configs/denoiser.cfg "$tmp/ckpt-x.safetensors" z
expect_fail "init unwritable" "no-dir/x.safetensors" \
  "$clae" init configs/denoiser.cfg "$tmp/no-dir/x.safetensors"
if [ -e "$tmp/ckpt-x.safetensors" ]; then
  echo "FAIL init: a failed init left $tmp/ckpt-x.safetensors"; fail=$((fail + 1))
fi

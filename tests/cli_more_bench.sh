# shellcheck shell=bash
# CLI checks for 'clae bench' (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
expect_fail "bench: unknown flag" "unknown option '--frob'" "$clae" bench --frob
expect_fail "bench: --batch 0" "--batch needs a whole number" "$clae" bench --batch 0
expect_fail "bench: --repeats abc" "--repeats needs a whole number" "$clae" bench --repeats abc
expect_fail "bench: --warmup -1" "--warmup needs a whole number" "$clae" bench --warmup -1
expect_fail "bench: --json without a value" "--json needs a value" "$clae" bench --json
expect_fail "bench: two configs" "unexpected argument" "$clae" bench configs/denoiser.cfg configs/denoiser.cfg
expect_fail "bench: missing config" "no-such.cfg" "$clae" bench "$tmp/no-such.cfg" --device ref
expect_fail "bench: bad device" "bad device" "$clae" bench --device banana
expect_fail "bench: unwritable json" "cannot write" \
  "$clae" bench --device ref --batch 2 --repeats 1 --warmup 0 --json "$tmp/no-such-dir/b.json"
expect_ok "bench --help" "clae bench \[CONFIG\]" "$clae" bench --help
expect_ok "bench ref batch 8" "images/s" "$clae" bench --device ref --batch 8 --repeats 1 --warmup 0
expect_ok "bench device batch 8 + json" "images/s" \
  "$clae" bench --batch 8 --repeats 1 --warmup 0 --json "$tmp/bench.json"
if grep -q '"images_per_s"' "$tmp/bench.json" 2>/dev/null && ! ls "$tmp"/bench.json.tmp* >/dev/null 2>&1; then
  echo "ok   bench: json written"; pass=$((pass + 1))
else
  echo "FAIL bench: json missing or temp file left"; fail=$((fail + 1))
fi
# A batch the device cannot hold: one line before anything is allocated
# (PoCL used to abort inside the driver at first use).
expect_fail "bench batch too large for the device" "a batch of 50000 needs .* MiB of device memory" \
  "$clae" bench configs/denoiser.cfg --batch 50000

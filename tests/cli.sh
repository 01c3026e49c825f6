#!/usr/bin/env bash
# CLI checks: bad input gets a one-line error and a non-zero exit, never a crash.
set -u
clae=$1
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# a copy of everything printed, so that the end can name the failed checks
# again (CI shows the tail of a long log)
exec 3>&1 > >(tee "$tmp/log" >&3)
tee_pid=$!

# expect_fail NAME PATTERN CMD...: exit code 1 or 2 (not a signal), one stderr line matching PATTERN
expect_fail() {
  local name=$1 pat=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  local lines
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$tmp/err"; then
    echo "ok   $name: $(cat "$tmp/err")"; pass=$((pass + 1))
  else
    echo "FAIL $name: rc=$rc, $lines stderr lines:"; cat "$tmp/err"; fail=$((fail + 1))
  fi
}
expect_ok() {
  local name=$1 pat=$2; shift 2
  if "$@" >"$tmp/out" 2>"$tmp/err" && grep -q -- "$pat" "$tmp/out"; then
    echo "ok   $name"; pass=$((pass + 1))
  else
    echo "FAIL $name:"; cat "$tmp/out" "$tmp/err"; fail=$((fail + 1))
  fi
}

# random_records FILE RECORDS: random images in CIFAR-10's official binary
# layout (a label byte, then 3072 pixel bytes), labels cycling 0..9
random_records() {
  local i
  : >"$1"
  for ((i = 0; i < $2; i++)); do
    # shellcheck disable=SC2059  # the label byte, as an octal escape
    printf "\\$(printf '%03o' $((i % 10)))" >>"$1"
    head -c 3072 /dev/urandom >>"$1"
  done
}

# An AddressSanitizer build (scripts/test.sh --sanitize) reserves terabytes of
# shadow address space at start, so it cannot run under `ulimit -v`: the cases
# that bound memory that way are skipped there (and run in the plain build).
asan_build() { ldd "$clae" 2>/dev/null | grep -q libasan; }
# ASAN_OPTIONS for a run that may compile a kernel no earlier run compiled: PoCL's
# worker thread then leaks an LLVM pass manager, which tests/lsan.supp names only
# from full stacks (slower, so only for such runs)
asan_full_stacks() {
  if asan_build; then echo "${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
  else echo "${ASAN_OPTIONS:-}"; fi
}

expect_fail "unknown command" "unknown command" "$clae" frobnicate
expect_fail "bad device" "bad device" env CLAE_DEVICE=banana "$clae" summary configs/denoiser.cfg --device banana
expect_ok "devices lists a device" "compute units" "$clae" devices
expect_fail "empty device" "bad device ''" "$clae" bench configs/denoiser.cfg --device ''
expect_fail "bad CLAE_FUSE" "bad CLAE_FUSE 'yes'" env CLAE_FUSE=yes "$clae" bench configs/denoiser.cfg
expect_fail "bad CLAE_VW" "bad CLAE_VW '32'" env CLAE_VW=32 "$clae" bench configs/denoiser.cfg

# CLI_ONLY="tests/cli_more_train.sh ..." runs only those parts (while working on them)
for more in ${CLI_ONLY:-tests/cli_more*.sh}; do . "$more"; done

echo "$pass passed, $fail failed"
exec >&3 3>&-
wait "$tee_pid" 2>/dev/null
grep -a '^FAIL' "$tmp/log" | cut -c1-300 | sed 's/^FAIL/failed:/'
[ "$fail" -eq 0 ]

# shellcheck shell=bash
# CLI checks for a cold kernel cache (sourced by tests/cli.sh: uses $clae, $tmp,
# pass, fail): the first run of a model compiles its kernels, says so once,
# builds each (kernel file, options) once, lets no compiler warning reach the
# terminal, and leaves the compile out of epoch 1's images/s.
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
cs=$tmp/coldstart
mkdir -p "$cs/cifar" "$cs/cache"
# 5 x 400 random training records (1600 train / 400 validation), 100 test records
for i in 1 2 3 4 5; do head -c $((400 * 3073)) /dev/urandom >"$cs/cifar/data_batch_$i.bin"; done
head -c $((100 * 3073)) /dev/urandom >"$cs/cifar/test_batch.bin"
# cs_check NAME CONDITION-STATUS DETAIL
cs_check() {
  if [ "$2" -eq 0 ]; then
    echo "ok   $1"; pass=$((pass + 1))
  else
    echo "FAIL $1: $3"; fail=$((fail + 1))
  fi
}
# cs_train NAME: the denoiser for one epoch on the random data, with the
# test's own (at first empty) kernel cache; stdout, stderr in $cs/NAME.*
# Under ASan, full stacks (slower): PoCL's pthread driver leaks an LLVM pass
# manager when its worker thread compiles a work-group function, and only a
# full stack names that (tests/lsan.supp) rather than the library alone.
# Under ASan clae's cold path (the note, the stamps, the build logs) runs
# with clae's cache empty but PoCL's the user's own (warm once quickstart's
# clae compile ran): the LLVM compile of a PoCL cold cache under ASan's
# full-stack unwinding took minutes and checks nothing of clae's; the plain
# build runs both caches cold.
cs_asan=$(asan_full_stacks)
cs_pocl=
if asan_build; then
  cs_pocl=${XDG_CACHE_HOME:-$HOME/.cache}/pocl/kcache
fi
cs_train() {
  env ${cs_pocl:+POCL_CACHE_DIR=$cs_pocl} ASAN_OPTIONS="$cs_asan" XDG_CACHE_HOME="$cs/cache" \
    CLAE_VERBOSE=1 "$clae" train configs/denoiser.cfg --data "$cs/cifar" \
    --epochs 1 --out "$cs/$1" >"$cs/$1.out" 2>"$cs/$1.err"
}
cs_train cold
cs_check "cold cache: train runs" $? "$(tail -3 "$cs/cold.err")"
n=$(grep -c "warnings generated\|build log for" "$cs/cold.err")
cs_check "cold cache: no compiler warnings on stderr" "$n" "$(grep -m3 "warning" "$cs/cold.err")"
n=$(grep -c "compiling kernels for this model" "$cs/cold.err")
cs_check "cold cache: 'compiling kernels' said once" "$((n != 1))" "said $n times"
dups=$(sed -n 's/^clae: built \(.*\) ([0-9.]* s)$/\1/p; /^clae: built .*[^)]$/s/^clae: built //p' \
  "$cs/cold.err" | sort | uniq -d)
nb=$(grep -c "^clae: built" "$cs/cold.err")
cs_check "cold cache: each kernel file and options built once ($nb builds)" \
  "$([ -z "$dups" ] && [ "$nb" -gt 0 ]; echo $?)" "built twice: $dups"
cs_train warm
cs_check "warm cache: train runs" $? "$(tail -3 "$cs/warm.err")"
n=$(grep -c "compiling kernels for this model" "$cs/warm.err")
cs_check "warm cache: no 'compiling kernels' note" "$n" "said $n times"
# epoch 1's img/s (history.csv's images_per_s) times the images, not the
# compiler: the cold run's within a factor of 4 of the warm run's
ips_cold=$(awk -F, 'NR == 2 { print $6 }' "$cs/cold/history.csv" 2>/dev/null)
ips_warm=$(awk -F, 'NR == 2 { print $6 }' "$cs/warm/history.csv" 2>/dev/null)
ok=$(awk -v c="${ips_cold:-0}" -v w="${ips_warm:-0}" 'BEGIN { print (c > 0 && w > 0 && 4 * c >= w) ? 0 : 1 }')
cs_check "cold cache: epoch 1 img/s leaves the compile out (cold ${ips_cold:-?}, warm ${ips_warm:-?})" \
  "$ok" "cold run's img/s under a quarter of the warm run's"
grep -q "building kernels [0-9.]* s" "$cs/cold.out"
cs_check "cold cache: the epoch line reports the compile time apart" $? "$(grep epoch "$cs/cold.out")"

# clae compile: the kernels built ahead into an empty cache, so that the
# first run of the config compiles nothing (no note, a fraction of the cold
# run's compile time). A second cold compile: left out under ASan (minutes).
cs_secs() { sed -n 's/.*building kernels \([0-9.]*\) s.*/\1/p' "$1" | head -1; }
if ! asan_build; then
  mkdir -p "$cs/cache2"
  XDG_CACHE_HOME=$cs/cache2 "$clae" compile configs/denoiser.cfg >"$cs/compile.out" 2>"$cs/compile.err"
  cs_check "compile: exits 0" $? "$(tail -3 "$cs/compile.err")"
  grep -q "^configs/denoiser.cfg: kernels ready on .* s of it compiling)" "$cs/compile.out"
  cs_check "compile: says the config is ready" $? "$(cat "$cs/compile.out")"
  XDG_CACHE_HOME=$cs/cache2 CLAE_VERBOSE=1 "$clae" train configs/denoiser.cfg --data "$cs/cifar" \
    --epochs 1 --out "$cs/ahead" >"$cs/ahead.out" 2>"$cs/ahead.err"
  cs_check "compile: then train runs" $? "$(tail -3 "$cs/ahead.err")"
  n=$(grep -c "compiling kernels for this model" "$cs/ahead.err")
  cs_check "compile: then train has nothing to compile (no note)" "$n" "said $n times"
  cold_s=$(cs_secs "$cs/cold.out")
  ahead_s=$(cs_secs "$cs/ahead.out")
  ok=$(awk -v c="${cold_s:-0}" -v a="${ahead_s:-0}" 'BEGIN { print (c > 0 && 4 * a < c) ? 0 : 1 }')
  cs_check "compile: the first run's compile time is a fraction of a cold run's (cold ${cold_s:-?} s, after compile ${ahead_s:-0} s)" \
    "$ok" "not under a quarter"
fi
expect_fail "compile: a missing config" "nosuch.cfg" "$clae" compile "$cs/nosuch.cfg"
expect_fail "compile: --jobs 0" "--jobs needs a whole number" "$clae" compile --jobs 0
expect_ok "compile: the reference path compiles nothing" "compiles nothing" \
  "$clae" compile configs/denoiser.cfg --device ref

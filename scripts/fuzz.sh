#!/usr/bin/env bash
# Fuzz every parser a user can hand a file to, with libFuzzer (clang) under
# AddressSanitizer and UndefinedBehaviorSanitizer: config, safetensors and
# checkpoints (with the config stored in them), history.jsonl (and its plot),
# images, CIFAR-10 binary folders, clae's dataset layout, clae compress's .clz files and
# clae tune's tuning files (tests/fuzz/fuzz_*.c).
#   scripts/fuzz.sh [SECONDS] [TARGET...]   each target for SECONDS (default 60)
# Seed corpora come from the repository's own files; what libFuzzer adds is
# kept in build-fuzz/corpus/TARGET between runs. Any crash, leak, UB report
# or timeout (10 s for one input) fails the run; the reproducer is left in
# build-fuzz/ (crash-*, leak-*, timeout-*). Needs clang (libclang-rt-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(config checkpoint history image cifar dataset clz tune)
command -v clang >/dev/null || { echo "fuzz: clang not found (apt-get install clang)" >&2; exit 2; }
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DCLAE_FUZZ=ON \
  -DBUILD_TESTING=OFF \
  -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -O1 -g" \
  >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/#/fuzz_}" >/dev/null

seeds() { # seeds TARGET DIR: copy the repository's own files of that kind into DIR
  local t=$1 d=$2
  mkdir -p "$d"
  case "$t" in
    config) cp configs/*.cfg tests/configs/*.cfg tests/models/*.cfg "$d"/ ;;
    checkpoint) cp models/*.safetensors "$d"/
      build-fuzz/../build/clae init configs/denoiser.cfg "$d/init.safetensors" >/dev/null 2>&1 || true ;;
    history) cp docs/*history.jsonl "$d"/ ;;
    image) cp docs/*.png "$d"/ ;;
    cifar) for i in 1 2 3; do
             { printf '\x20\x20\x20\x20\x20\x20'; head -c $((6 * 3073 + i)) /dev/urandom; } >"$d/seed$i"
           done ;;
    dataset) # train.safetensors files as clae data import writes them: N images of HxWxC
      for shape in 2,1,2,3 3,3,4,5 1,4,1,1; do
        IFS=, read -r n c h w <<<"$shape"
        local p=$((c * h * w)) json pad
        json="{\"__metadata__\":{\"format\":\"clae-images-1\",\"height\":\"$h\",\"width\":\"$w\","
        json+="\"channels\":\"$c\",\"count\":\"$n\",\"classes\":\"a\\nb\"},"
        json+="\"images\":{\"dtype\":\"U8\",\"shape\":[$n,$c,$h,$w],\"data_offsets\":[0,$((n * p))]},"
        json+="\"labels\":{\"dtype\":\"U8\",\"shape\":[$n],\"data_offsets\":[$((n * p)),$((n * p + n))]}}"
        pad=$(( (8 - ${#json} % 8) % 8 ))
        { printf "\\x$(printf %02x $(( (${#json} + pad) & 255 )))\\x$(printf %02x $(( (${#json} + pad) >> 8 )))"
          printf '\0\0\0\0\0\0%s%*s' "$json" "$pad" ''
          head -c $((n * p + n)) /dev/urandom; } >"$d/seed-$shape"
      done ;;
    clz) # .clz files as clae compress writes them: header, then a zlib stream of the code
      python3 - "$d" <<'PY'
import struct, sys, zlib, random
random.seed(1)
for bits, packing, c, h, w in ((8, 0, 4, 8, 8), (4, 1, 8, 4, 4), (12, 0, 2, 3, 5), (1, 1, 1, 1, 1)):
    n = c * h * w
    q = [random.randrange(1 << bits) for _ in range(n)]
    if packing == 0:
        raw = bytes(q) if bits <= 8 else b''.join(struct.pack('<H', x) for x in q)
    else:
        s = ''.join(format(x, '0%db' % bits) for x in q)
        s += '0' * (-len(s) % 8)
        raw = bytes(int(s[i:i + 8], 2) for i in range(0, len(s), 8))
    head = b'CLZ' + struct.pack('<BBBHHHHHHHffI', 1, bits, packing, 4, 32, 32, 3, c, h, w,
                                -1.5, 2.5, 0x1234)
    open('%s/seed-%d-%d' % (sys.argv[1], bits, packing), 'wb').write(head + zlib.compress(raw, 9))
PY
      ;;
    tune) # tuning files for fuzz_tune's made-up device, as clae tune writes them
      local head='"format": "clae-tune 1", "platform": "fuzz-platform", "device": "fuzz-device", "driver": "1.0"'
      printf '{%s, "entries": {}}' "$head" >"$d/empty.json"
      printf '{%s, "entries": {"conv -DGC=16 -DGH=32 -DGW=32 -DIC=8 -DIH=32 -DIW=32 -DR=3 -DS=3 -DSH=1 -DSW=1 -DPT=1 -DPL=1": {"blk": 8, "dw_blk": 1, "dw_slice_images": 8, "wg": "row", "vw": 16, "batch": 512, "default_ms": 2.5, "best_ms": 2.0}, "dw -DGC=3 -DGH=32 -DGW=32 -DIC=16 -DIH=32 -DIW=32 -DR=3 -DS=3 -DSH=1 -DSW=1 -DPT=1 -DPL=1": {"blk": 1, "dw_blk": 3, "dw_slice_images": 16, "wg": "plane", "batch": 512}}}' "$head" >"$d/two.json"
      printf '{%s, "entries": {"tconv x": {"blk": 99}}}' "$head" >"$d/bad.json" ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
fail=0
for t in "${targets[@]}"; do
  corpus="build-fuzz/corpus/$t"
  [ -d "$corpus" ] || seeds "$t" "$corpus"
  log="build-fuzz/fuzz_$t.log"
  if (cd build-fuzz && "./fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "corpus/$t" >"fuzz_$t.log" 2>&1); then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1)
    echo "ok   fuzz_$t: ${execs:-?} executions in ${secs}s, ${cov:-cov: ?}, corpus $(find "$corpus" -type f | wc -l) files"
  else
    echo "FAIL fuzz_$t (log: $log)"
    grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -n 8 | sed 's/^/     /'
    fail=$((fail + 1))
  fi
done
[ "$fail" -eq 0 ]

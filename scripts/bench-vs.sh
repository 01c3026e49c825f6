#!/usr/bin/env bash
# Training throughput of a clae model config (default configs/denoiser.cfg: 6,467
# parameters, Adam, MSE) in Keras 3 on TensorFlow 2 (CPU), optionally PyTorch 2 (eager
# NCHW, eager channels_last, torch.compile), and clae on its OpenCL device: same model,
# loss, Adam settings, batch, threads and number of training images per figure, engines
# interleaved, --rounds rounds; then a markdown table (images/s per round, median) and
# clae's ratio to the fastest other engine, with a header (date, machine, OS, device,
# versions) to paste into README's performance table.
# --config CONFIG (repeatable, or a comma-separated list) picks the configs: one table
# each, then a summary table (config, parameters, median images/s of clae, Keras and the
# best PyTorch variant, clae's ratio to the best other engine, and the GFLOP/s clae's
# training reaches: `clae bench`'s FLOPs per image of a step times clae's images/s).
# Keras builds the model from the config with scripts/clae_keras.py, PyTorch with
# scripts/clae2torch.py; each asserts `clae summary`'s parameter count. Keras and
# PyTorch live in .venv-bench/ (ignored), made once with python3 -m venv and pip install
# tensorflow-cpu (and torch with --torch: a multi-GB download; PIP_INDEX_URL /
# PIP_EXTRA_INDEX_URL are honoured, as pip does).
# Keras figure: epoch 2 of model.fit (shuffle=True). PyTorch: a shuffled pass after
# warm-up steps. Both on random float32 arrays of the model's shapes. clae: epoch 2/2 of
# `clae train` on CIFAR-10 with --limit set so the training split holds about --images
# images, with the config's [train] data pipeline (corruption, augmentation). A config
# whose [net] input is H,W,3 but not 32,32,3 trains on CIFAR-10 images upscaled to HxW
# (`clae data import --size H,W`, made once per run in a temporary folder). All three
# include their data pipeline. A config's images per figure are capped so that a float32
# copy of its inputs stays within 1 GiB (a 128x128 RGB config: 5,461).
#   scripts/bench-vs.sh [--config CONFIG]... [--images N] [--batch N] [--threads T]
#                       [--rounds R] [--torch] [--device N|ref] [--no-install]
# Defaults: --config configs/denoiser.cfg --images 20480 --batch (the config's [net]
# batch) --threads $(nproc) --rounds 3. $CLAE_BIN overrides build/clae, $PYTHON the
# python3 that makes the venv. Errors: one line naming the config and the problem;
# exit 2 for a bad option, 1 when a run fails.
set -euo pipefail
shopt -s lastpipe
cd "$(dirname "$0")/.."
me=bench-vs
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "$me: $1" >&2; exit "${2:-1}"; }
images=20480 batch="" threads=$(nproc) rounds=3 torch=0 device=() install=1 configs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --images|--batch|--threads|--rounds)
      [ $# -ge 2 ] || die "$1 needs a value" 2
      case "$2" in ''|*[!0-9]*|0*) die "$1 needs a positive integer, not '$2'" 2 ;; esac
      printf -v "${1#--}" '%s' "$2"; shift 2 ;;
    --config)
      [ $# -ge 2 ] || die "--config needs a config file (or a comma-separated list)" 2
      [ -n "$2" ] || die "--config needs a config file (or a comma-separated list)" 2
      IFS=, read -ra more <<<"$2"
      configs+=("${more[@]}"); shift 2 ;;
    --device) [ $# -ge 2 ] || die "--device needs N or ref" 2; device=(--device "$2"); shift 2 ;;
    --torch) torch=1; shift ;;
    --no-install) install=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (--help lists them)" 2 ;;
  esac
done
[ ${#configs[@]} -gt 0 ] || configs=(configs/denoiser.cfg)
for c in "${configs[@]}"; do
  [ -n "$c" ] || die "--config: an empty name (--config '', or ',,' in a list)" 2
  [ -f "$c" ] || die "$c: no such config file (--config)" 2
  [ -r "$c" ] || die "$c: not readable (--config)" 2
done
clae=${CLAE_BIN:-build/clae}
[ -x "$clae" ] || die "$clae not built (scripts/build.sh)"
data=data/cifar-10-batches-bin
if [ ! -f "$data/data_batch_1.bin" ] || [ ! -f "$data/test_batch.bin" ]; then
  die "CIFAR-10 missing in $data (fetch it with scripts/fetch-cifar10.sh)"
fi

# --- each config as clae reads it (`clae summary`) --------------------------------
# c_name, c_params, c_batch, c_desc (loss, Adam's lr), c_shape (H W C), c_images, c_limit
declare -a c_name c_params c_batch c_desc c_shape c_images c_limit c_data
commas() { sed ':a; s/\B[0-9]\{3\}\>/,&/; ta'; }
for i in "${!configs[@]}"; do
  c=${configs[i]}
  sum=$("$clae" summary "$c" 2>&1) || die "$c: clae summary failed: $(echo "$sum" | tail -1)"
  params=$(echo "$sum" | sed -n 's/^ *Total params: \([0-9,]*\) .*/\1/p' | tr -d ,)
  shape=$(echo "$sum" | sed -n 's/^Input: (None, \([0-9]*\), \([0-9]*\), \([0-9]*\))$/\1 \2 \3/p')
  net=$(echo "$sum" |
        sed -n 's/^batch \([0-9]*\), optimizer \([a-z]*\) (lr \([^,]*\),.*), loss \([a-z_]*\)$/\1 \2 \3 \4/p')
  if [ -z "$params" ] || [ -z "$shape" ] || [ -z "$net" ]; then
    die "$c: clae summary's parameters, input or [net] line not understood"
  fi
  read -r h w ch <<<"$shape"
  read -r b opt lr loss <<<"$net"
  [ "$opt" = adam ] || die "$c: optimizer $opt: bench-vs compares Adam only"
  [ "$ch" = 3 ] || die "$c: input ${h}x${w}x${ch}: bench-vs feeds CIFAR-10's RGB images only"
  case "$loss" in
    mse|mae) loss=${loss^^} ;;
    binary_crossentropy) loss="binary cross-entropy" ;;
  esac
  if echo "$sum" | grep -q '(sampling)'; then loss="$loss + KL"; fi
  lr=$(awk -v x="$lr" 'BEGIN { for (k = 1; k < 10; k++) if (x == 10 ^ -k) { print "1e-" k; exit }
                               print x }')
  n=$(( (1 << 30) / (4 * h * w * ch) ))
  [ "$n" -le "$images" ] || n=$images
  # --limit L so that the training split (80%) is about n; CIFAR-10 has 50,000
  # training images, so at most 40,000 train.
  limit=$(( (n * 5 + 3) / 4 ))
  [ "$limit" -le 50000 ] || limit=50000
  c_name[i]=$(basename "$c" .cfg) c_params[i]=$params c_batch[i]=${batch:-$b}
  c_desc[i]="$loss, Adam ($lr)" c_shape[i]="$h $w $ch" c_images[i]=$n c_limit[i]=$limit
  c_data[i]=$data
done
cbatch=()
[ -z "$batch" ] || cbatch=(--batch "$batch")

# --- the venv: made once, packages installed only when missing ---------------
venv=.venv-bench py=.venv-bench/bin/python
has() { [ -x "$py" ] && "$py" -c "import importlib.util as u, sys; sys.exit(u.find_spec('$1') is None)" 2>/dev/null; }
need=()
has tensorflow || need+=(tensorflow-cpu)
[ "$torch" = 0 ] || has torch || need+=(torch)
if [ ${#need[@]} -gt 0 ]; then
  [ "$install" = 1 ] || die "$venv lacks ${need[*]} (run without --no-install to install it)"
  if [ ! -x "$py" ]; then
    echo "$me: making $venv (${PYTHON:-python3} -m venv)" >&2
    "${PYTHON:-python3}" -m venv "$venv" || die "${PYTHON:-python3} -m venv $venv failed"
  fi
  for pkg in "${need[@]}"; do
    echo "$me: pip install $pkg into $venv (once; tensorflow-cpu ~0.3 GB, torch several GB)" >&2
    "$py" -m pip install --quiet --disable-pip-version-check "$pkg" || die "pip install $pkg failed"
  done
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Both Python builders must take every config (a layer kind Keras lacks, [branch] sections).
"$py" scripts/bench_config.py "${configs[@]}" 2>"$tmp/err" || die "$(tail -1 "$tmp/err")"
# Figures of the config being run: fig[engine] = "r1 r2 ...", ver[engine], order of first
# appearance in names.
declare -A fig=() ver=()
names=() failed=0
record() {  # engine version images/s
  [ -n "${fig[$1]+x}" ] || { names+=("$1"); fig[$1]=""; }
  ver[$1]=$2; fig[$1]="${fig[$1]} $3"
}
# Runs a helper, echoes its human lines as they come, records its @result lines.
helper() {  # label command...
  local label=$1 rc=0; shift
  "$@" 2>"$tmp/err" | while IFS= read -r line; do
    case "$line" in
      @result*) IFS=$'\t' read -r _ name version ips <<<"$line"; record "$name" "$version" "$ips" ;;
      *) echo "  $line" ;;
    esac
  done || rc=$?
  if [ "$rc" != 0 ]; then
    echo "  $label: failed (exit $rc): $(grep -v '^\s*$' "$tmp/err" | tail -1)"; failed=1
  fi
}

clae_version="clae $("$clae" --version 2>/dev/null | awk '{print $2}') ($(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
clae_dev=""
cfg=configs/denoiser.cfg cdata=$data climit=${c_limit[0]}  # the config clae_run trains
clae_run() {  # epochs [extra options]
  local out rc=0 line ips
  out=$(mktemp -d "$tmp/clae.XXXXXX")
  # --threads for PoCL's CPU device too (3.x: POCL_MAX_PTHREAD_COUNT; newer: _CPU_MAX_CU_COUNT).
  POCL_MAX_PTHREAD_COUNT=$threads POCL_CPU_MAX_CU_COUNT=$threads \
  "$clae" train "$cfg" --data "$cdata" --epochs "$1" --limit "$climit" \
    --out "$out" "${device[@]}" "${cbatch[@]}" "${@:2}" >"$tmp/clae.txt" 2>"$tmp/err" || rc=$?
  rm -rf "$out"
  line=$(sed -n 's/^training .* on \(.*\): [0-9]* train .*/\1/p' "$tmp/clae.txt" | head -1)
  [ -z "$line" ] || clae_dev=$line
  [ "$1" = 2 ] || return "$rc"
  line=$(grep '^epoch 2/2' "$tmp/clae.txt" || true)
  ips=$(echo "$line" | sed -n 's/.*  \([0-9.]*\) img\/s .*/\1/p')
  if [ "$rc" != 0 ] || [ -z "$ips" ]; then
    echo "  clae: failed (exit $rc): $(cat "$tmp/err" "$tmp/clae.txt" | grep -v '^\s*$' | tail -1)"; failed=1
    return 0
  fi
  echo "  clae ($clae_dev, $(sed -n 's/.*: \([0-9]*\) train .*/\1/p' "$tmp/clae.txt") train images): $ips images/s | $line"
  record "clae train ($clae_dev)" "$clae_version" "$ips"
}

# CIFAR-10 upscaled to H x W: the first L training and 64 test images as PPM files
# (one folder per label), imported by `clae data import --size H,W` (clae's layout).
upscaled() {  # H W L -> prints the data folder
  local dir=$tmp/cifar-$1x$2-$3
  if [ ! -d "$dir" ]; then
    rm -rf "$tmp/ppm"
    "$py" - "$data" "$tmp/ppm" "$3" 64 2>"$tmp/err" <<'EOF' || return 1
import os, sys
src, out, counts = sys.argv[1], sys.argv[2], {"train": int(sys.argv[3]), "test": int(sys.argv[4])}
files = {"train": [f"data_batch_{i}.bin" for i in range(1, 6)], "test": ["test_batch.bin"]}
for split, n in counts.items():
    k = 0
    for name in files[split]:
        with open(os.path.join(src, name), "rb") as fh:
            blob = fh.read()
        for at in range(0, min(len(blob), (n - k) * 3073), 3073):
            rec, px = blob[at:at + 3073], bytearray(3072)
            px[0::3], px[1::3], px[2::3] = rec[1:1025], rec[1025:2049], rec[2049:3073]
            folder = os.path.join(out, split, str(rec[0]))
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, f"{k:05d}.ppm"), "wb") as fh:
                fh.write(b"P6\n32 32\n255\n" + px)
            k += 1
EOF
    "$clae" data import "$tmp/ppm" "$dir" --size "$1,$2" >"$tmp/import.txt" 2>"$tmp/err" ||
      { rm -rf "$dir"; return 1; }
    rm -rf "$tmp/ppm"
  fi
  echo "$dir"
}

# FLOPs per image of a training step, from `clae bench CONFIG --json` (empty if it fails).
flops_per_image() {  # config batch
  POCL_MAX_PTHREAD_COUNT=$threads POCL_CPU_MAX_CU_COUNT=$threads \
  "$clae" bench "$1" --batch "$2" --repeats 1 --warmup 0 --json "$tmp/bench.json" \
    "${device[@]}" >/dev/null 2>"$tmp/err" || return 0
  "$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["step"]["flops"] / int(sys.argv[2]))' \
    "$tmp/bench.json" "$2" 2>/dev/null || true
}

# --- header --------------------------------------------------------------------
# One short clae run finds the OpenCL device (and that clae works) before the long runs.
clae_run 1 --max-steps 1 --limit 640 || die "$clae train failed: $(tail -1 "$tmp/err")"
# The data of each config that is not 32x32 (made here, before any figure is taken).
for i in "${!configs[@]}"; do
  read -r h w _ <<<"${c_shape[i]}"
  [ "$h $w" != "32 32" ] || continue
  c_data[i]=$(upscaled "$h" "$w" "${c_limit[i]}") ||
    die "${configs[i]}: CIFAR-10 upscaled to ${h}x${w} not made:" \
        "$(grep -v '^\s*$' "$tmp/err" | tail -1)"
done
versions=$("$py" - <<'EOF'
import platform
from importlib import metadata as m
def v(*names):
    for n in names:
        try:
            return m.version(n)
        except m.PackageNotFoundError:
            pass
    return "-"
print(f"Python {platform.python_version()}, TensorFlow {v('tensorflow-cpu', 'tensorflow')}, "
      f"Keras {v('keras')}, PyTorch {v('torch')}, NumPy {v('numpy')}")
EOF
)
os=$(uname -s)
# shellcheck disable=SC1091
if [ -r /etc/os-release ]; then os=$(. /etc/os-release && echo "${PRETTY_NAME:-$os}"); fi
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
multi=0
[ ${#configs[@]} = 1 ] || multi=1
if [ "$multi" = 1 ]; then
  echo "## bench-vs: training throughput of ${#configs[@]} configs"
else
  echo "## bench-vs: ${c_name[0]} training throughput"
fi
echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine:  ${cpu:-?}, $(nproc) cores, $mem"
echo "OS:       $os, Linux $(uname -r)"
echo "device:   $clae_dev (clae's OpenCL device${device[*]:+, ${device[*]}})"
echo "versions: $clae_version; $versions"
setup() {  # i -> the config's setup words
  read -r h w _ <<<"${c_shape[$1]}"
  printf '%s (%s parameters), %s, batch %s' "${c_name[$1]}" "$(echo "${c_params[$1]}" | commas)" \
    "${c_desc[$1]}" "${c_batch[$1]}"
  [ "$multi" = 0 ] || printf ', %s training images per figure' "${c_images[$1]}"
  [ "$h $w" = "32 32" ] || printf ' (clae: CIFAR-10 upscaled to %sx%s)' "$h" "$w"
}
if [ "$multi" = 1 ]; then
  echo "setup:    each config's loss, Adam and batch, $threads threads (Keras, PyTorch, PoCL)," \
       "up to $images training images per figure, $rounds round(s), engines interleaved"
else
  echo "setup:    $(setup 0), $threads threads (Keras, PyTorch, PoCL)," \
       "${c_images[0]} training images per figure, $rounds round(s), engines interleaved"
fi
echo

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END {
  if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The rounds of config i, then its table; sets s_clae s_keras s_torch s_ratio (medians, "-"
# where missing).
run_config() {  # i
  local i=$1 r n m per best="" best_m=0 clae_m=0
  cfg=${configs[i]} cdata=${c_data[i]} climit=${c_limit[i]}
  fig=() ver=() names=()
  local common=(--config "$cfg" --params "${c_params[i]}" --images "${c_images[i]}"
                --batch "${c_batch[i]}" --threads "$threads")
  for r in $(seq "$rounds"); do
    echo "round $r/$rounds"
    helper keras "$py" scripts/bench_keras.py "${common[@]}"
    [ "$torch" = 0 ] || helper pytorch "$py" scripts/bench_torch.py "${common[@]}"
    clae_run 2
  done
  echo
  echo "| engine | version | images/s per round | median |"
  echo "|---|---|---|---|"
  s_clae=- s_keras=- s_torch=- s_ratio=-
  for n in "${names[@]}"; do
    m=$(echo "${fig[$n]}" | median)
    per=$(echo "${fig[$n]}" | awk '{ for (i = 1; i <= NF; i++) printf "%s%.0f", (i > 1 ? " / " : ""), $i }')
    printf '| %s | %s | %s | %.0f |\n' "$n" "${ver[$n]}" "$per" "$m"
    case "$n" in
      "clae train"*) clae_m=$m s_clae=$m; continue ;;
      Keras*) s_keras=$m ;;
      PyTorch*)
        if [ "$s_torch" = - ] || awk -v a="$m" -v b="$s_torch" 'BEGIN { exit !(a > b) }'; then
          s_torch=$m
        fi ;;
    esac
    if awk -v a="$m" -v b="$best_m" 'BEGIN { exit !(a > b) }'; then best=$n best_m=$m; fi
  done
  echo
  if [ -n "$best" ] && awk -v c="$clae_m" 'BEGIN { exit !(c > 0) }'; then
    s_ratio=$(awk -v c="$clae_m" -v b="$best_m" 'BEGIN { printf "%.2f", c / b }')
    awk -v c="$clae_m" -v b="$best_m" -v n="$best" \
      'BEGIN { printf "median ratio clae / best other: %.2fx (best other: %s, %.0f images/s)\n", c / b, n, b }'
  else
    echo "median ratio clae / best other: - (a figure is missing)"
  fi
}

# --- rounds, a table per config --------------------------------------------------
export OMP_NUM_THREADS=$threads
whole() { if [ "$1" = - ]; then echo -; else printf '%.0f' "$1"; fi; }
rows=()
for i in "${!configs[@]}"; do
  if [ "$multi" = 0 ]; then run_config "$i"; break; fi
  echo "### ${c_name[i]} (${configs[i]})"
  echo "setup:    $(setup "$i")"
  echo
  run_config "$i"
  f=$(flops_per_image "${configs[i]}" "${c_batch[i]}")
  gf=-
  if [ -n "$f" ] && [ "$s_clae" != - ]; then
    gf=$(awk -v f="$f" -v c="$s_clae" 'BEGIN { printf "%.1f", f * c / 1e9 }')
  elif [ -z "$f" ]; then
    echo "clae bench ${configs[i]}: no FLOP count ($(grep -v '^\s*$' "$tmp/err" | tail -1))"
  fi
  [ "$s_ratio" = - ] || s_ratio=${s_ratio}x
  rows+=("$(printf '| %s | %s | %s | %s | %s | %s | %s |' "${c_name[i]}" \
            "$(echo "${c_params[i]}" | commas)" "$(whole "$s_clae")" "$(whole "$s_keras")" \
            "$(whole "$s_torch")" "$s_ratio" "$gf")")
  echo
done

# --- the summary -----------------------------------------------------------------
if [ "$multi" = 1 ]; then
  echo "### summary (median images/s; PyTorch: its best variant; GFLOP/s: clae bench's FLOPs" \
       "per image x clae's images/s)"
  echo
  echo "| config | params | clae img/s | Keras img/s | PyTorch img/s | clae / best other" \
       "| clae GFLOP/s |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
fi
exit "$failed"

#!/usr/bin/env bash
# Training throughput of the denoiser (6,467 parameters, Adam, MSE) in Keras 3 on
# TensorFlow 2 (CPU), optionally PyTorch 2 (eager NCHW, eager channels_last,
# torch.compile), and clae on its OpenCL device: same model, batch, threads and
# number of training images per figure, engines interleaved, --rounds rounds;
# then a markdown table (images/s per round, median) and clae's ratio to the
# fastest other engine, with a header (date, machine, OS, device, versions) to
# paste into README's performance table.
# Keras and PyTorch live in .venv-bench/ (ignored), made once with python3 -m venv
# and pip install tensorflow-cpu (and torch with --torch: a multi-GB download;
# PIP_INDEX_URL / PIP_EXTRA_INDEX_URL are honoured, as pip does).
# Keras figure: epoch 2 of model.fit (shuffle=True). PyTorch: a shuffled pass after
# warm-up steps. clae: epoch 2/2 of `clae train` on CIFAR-10 with --limit set so the
# training split holds about --images images. All three include their data pipeline.
#   scripts/bench-vs.sh [--images N] [--batch N] [--threads T] [--rounds R] [--torch]
#                       [--device N|ref] [--no-install]
# Defaults: --images 20480 --batch 512 --threads $(nproc) --rounds 3. $CLAE_BIN
# overrides build/clae, $PYTHON the python3 that makes the venv.
set -euo pipefail
shopt -s lastpipe
cd "$(dirname "$0")/.."
me=bench-vs
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "$me: $1" >&2; exit "${2:-1}"; }
images=20480 batch=512 threads=$(nproc) rounds=3 torch=0 device=() install=1
while [ $# -gt 0 ]; do
  case "$1" in
    --images|--batch|--threads|--rounds)
      [ $# -ge 2 ] || die "$1 needs a value" 2
      case "$2" in ''|*[!0-9]*|0*) die "$1 needs a positive integer, not '$2'" 2 ;; esac
      printf -v "${1#--}" '%s' "$2"; shift 2 ;;
    --device) [ $# -ge 2 ] || die "--device needs N or ref" 2; device=(--device "$2"); shift 2 ;;
    --torch) torch=1; shift ;;
    --no-install) install=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (--help lists them)" 2 ;;
  esac
done
clae=${CLAE_BIN:-build/clae}
[ -x "$clae" ] || die "$clae not built (scripts/build.sh)"
data=data/cifar-10-batches-bin
if [ ! -f "$data/data_batch_1.bin" ] || [ ! -f "$data/test_batch.bin" ]; then
  die "CIFAR-10 missing in $data (fetch it with scripts/fetch-cifar10.sh)"
fi

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
# Figures: fig[engine] = "r1 r2 ...", ver[engine], order of first appearance in names.
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

# clae: --limit L so that the training split (80%) is about --images; CIFAR-10 has
# 50,000 training images, so at most 40,000 train.
limit=$(( (images * 5 + 3) / 4 ))
[ "$limit" -le 50000 ] || limit=50000
clae_version="clae $("$clae" --version 2>/dev/null | awk '{print $2}') ($(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
clae_dev=""
clae_run() {  # epochs [extra options]
  local out rc=0 line ips
  out=$(mktemp -d "$tmp/clae.XXXXXX")
  # --threads for PoCL's CPU device too (3.x: POCL_MAX_PTHREAD_COUNT; newer: _CPU_MAX_CU_COUNT).
  POCL_MAX_PTHREAD_COUNT=$threads POCL_CPU_MAX_CU_COUNT=$threads \
  "$clae" train configs/denoiser.cfg --data "$data" --epochs "$1" --limit "$limit" \
    --out "$out" "${device[@]}" "${@:2}" >"$tmp/clae.txt" 2>"$tmp/err" || rc=$?
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

# --- header --------------------------------------------------------------------
# One short clae run finds the OpenCL device (and that clae works) before the long runs.
clae_run 1 --max-steps 1 --limit 640 || die "$clae train failed: $(tail -1 "$tmp/err")"
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
echo "## bench-vs: denoiser training throughput"
echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine:  ${cpu:-?}, $(nproc) cores, $mem"
echo "OS:       $os, Linux $(uname -r)"
echo "device:   $clae_dev (clae's OpenCL device${device[*]:+, ${device[*]}})"
echo "versions: $clae_version; $versions"
echo "setup:    denoiser (6,467 parameters), MSE, Adam (1e-3), batch $batch, $threads threads" \
     "(Keras, PyTorch, PoCL), $images training images per figure, $rounds round(s), engines interleaved"
echo

# --- rounds --------------------------------------------------------------------
export OMP_NUM_THREADS=$threads
common=(--images "$images" --batch "$batch" --threads "$threads")
for r in $(seq "$rounds"); do
  echo "round $r/$rounds"
  helper keras "$py" scripts/bench_keras.py "${common[@]}"
  [ "$torch" = 0 ] || helper pytorch "$py" scripts/bench_torch.py "${common[@]}"
  clae_run 2
done

# --- table -----------------------------------------------------------------------
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END {
  if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "| engine | version | images/s per round | median |"
echo "|---|---|---|---|"
best="" best_m=0 clae_m=0
for n in "${names[@]}"; do
  m=$(echo "${fig[$n]}" | median)
  per=$(echo "${fig[$n]}" | awk '{ for (i = 1; i <= NF; i++) printf "%s%.0f", (i > 1 ? " / " : ""), $i }')
  printf '| %s | %s | %s | %.0f |\n' "$n" "${ver[$n]}" "$per" "$m"
  case "$n" in
    "clae train"*) clae_m=$m ;;
    *) if awk -v a="$m" -v b="$best_m" 'BEGIN { exit !(a > b) }'; then best=$n best_m=$m; fi ;;
  esac
done
echo
if [ -n "$best" ] && awk -v c="$clae_m" 'BEGIN { exit !(c > 0) }'; then
  awk -v c="$clae_m" -v b="$best_m" -v n="$best" \
    'BEGIN { printf "median ratio clae / best other: %.2fx (best other: %s, %.0f images/s)\n", c / b, n, b }'
else
  echo "median ratio clae / best other: - (a figure is missing)"
fi
exit "$failed"

#!/usr/bin/env bash
# One-class anomaly detection on CIFAR-10 to the DCAE protocol of Ruff et
# al., "Deep One-Class Classification" (ICML 2018): for each normal class,
# train configs/dcae-cifar10.cfg (or --config) on that class's training
# images, score every test image by its reconstruction error (clae score:
# ROC-AUC of MSE and of 1 - SSIM, the other nine classes the anomalies), over
# --seeds seeds; then a Markdown table of mean ± std per class beside the
# paper's DCAE row (Table 1), and how many classes fall within the paper's
# mean ± 2 std.
#   scripts/one-class.sh [--seeds N] [--epochs E] [--classes 0,1,...]
#                        [--config CFG] [--data DIR] [--out DIR] [--table FILE]
# Defaults: 1 seed, the config's epochs (350), all ten classes, runs in
# runs/one-class/CLASS-SEED, the table in docs/one-class.md. A class's run
# that already finished (its scores.csv exists) is not trained again.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=1 epochs="" classes=0,1,2,3,4,5,6,7,8,9 config=configs/dcae-cifar10.cfg
data=data/cifar-10-batches-bin out=runs/one-class table=docs/one-class.md
usage="usage: scripts/one-class.sh [--seeds N] [--epochs E] [--classes 0,1,...] [--config CFG] [--data DIR] [--out DIR] [--table FILE]"
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "one-class: $1 needs a value; $usage" >&2; exit 2; }
  case "$1" in
    --seeds) seeds=$2 ;;
    --epochs) epochs=$2 ;;
    --classes) classes=$2 ;;
    --config) config=$2 ;;
    --data) data=$2 ;;
    --out) out=$2 ;;
    --table) table=$2 ;;
    *) echo "one-class: unknown option '$1'; $usage" >&2; exit 2 ;;
  esac
  shift 2
done
case "$seeds" in '' | *[!0-9]* | 0) echo "one-class: --seeds must be an integer >= 1, not '$seeds'" >&2; exit 2 ;; esac
case "$epochs" in *[!0-9]* | 0) echo "one-class: --epochs must be an integer >= 1, not '$epochs'" >&2; exit 2 ;; esac
case ",$classes," in *[!0-9,]* | *,,*) echo "one-class: --classes takes labels 0-9 separated by commas, not '$classes'" >&2; exit 2 ;; esac
[ -f "$config" ] || { echo "one-class: $config: no such config" >&2; exit 1; }
clae=build/clae
[ -x "$clae" ] || scripts/build.sh >/dev/null

# Ruff et al. 2018, Table 1, DCAE on CIFAR-10: mean and std of the AUC (%)
paper_mean=(59.1 57.4 48.9 58.4 54.0 62.2 51.2 58.6 76.8 67.3)
paper_std=(5.1 2.9 2.4 1.2 1.3 1.8 5.2 2.9 1.4 3.0)
names=(airplane automobile bird cat deer dog frog horse ship truck)

mkdir -p "$out"
for k in ${classes//,/ }; do
  for ((s = 1; s <= seeds; s++)); do
    dir=$out/$k-$s
    [ -f "$dir/scores.csv" ] && [ -f "$dir/auc.txt" ] && continue
    args=(train "$config" --classes "$k" --seed "$s" --data "$data" --out "$dir" --overwrite
          --no-progress)
    [ -n "$epochs" ] && args+=(--epochs "$epochs")
    t0=$(date +%s)
    "$clae" "${args[@]}" > "$dir.log" 2>&1 || { echo "one-class: training class $k seed $s failed; see $dir.log" >&2; exit 1; }
    "$clae" score "$dir/last.safetensors" "$dir/scores.csv" --data "$data" > "$dir/score.txt"
    # "ROC-AUC, normal = classes K, anomalies = the rest: MSE 0.5912, 1 - SSIM 0.5123"
    sed -n 's/.*: MSE \([0-9.]*\), 1 - SSIM \([0-9.]*\).*/\1 \2/p' "$dir/score.txt" > "$dir/auc.txt"
    [ -s "$dir/auc.txt" ] || { echo "one-class: no ROC-AUC in $dir/score.txt" >&2; exit 1; }
    echo "class $k (${names[$k]}) seed $s: AUC of MSE, of 1 - SSIM: $(cat "$dir/auc.txt") ($(($(date +%s) - t0)) s)"
  done
done

# The table: mean ± std (sample std over seeds) in %, and the paper's row.
mkdir -p "$(dirname "$table")"
for k in ${classes//,/ }; do
  for ((s = 1; s <= seeds; s++)); do echo "$k $(cat "$out/$k-$s/auc.txt")"; done
done | awk -v pm="${paper_mean[*]}" -v ps="${paper_std[*]}" -v nm="${names[*]}" '
  BEGIN { split(pm, PM, " "); split(ps, PS, " "); split(nm, NM, " ") }
  { k = $1; if (!(k in n)) order[++nk] = k; n[k]++; a[k, n[k]] = 100 * $2; b[k, n[k]] = 100 * $3 }
  function mean(x, k, m,   i, s) { s = 0; for (i = 1; i <= m; i++) s += x[k, i]; return s / m }
  function sd(x, k, m, mu,   i, v) { if (m < 2) return 0; v = 0; for (i = 1; i <= m; i++) v += (x[k, i] - mu) ^ 2; return sqrt(v / (m - 1)) }
  END {
    print "| normal class | clae, AUC of MSE (%) | clae, AUC of 1 − SSIM (%) | Ruff et al. DCAE (%) | within its mean ± 2 std |"
    print "|---|---|---|---|---|"
    for (j = 1; j <= nk; j++) {
      k = order[j]; m = n[k]; ma = mean(a, k, m); mb = mean(b, k, m)
      p = PM[k + 1]; q = PS[k + 1]; d = ma - p
      ok = (d <= 2 * q && -d <= 2 * q) ? "yes" : sprintf("no (%+.1f)", d)
      within += ok == "yes"; sa += ma; sb += mb; sp += p
      if (m > 1) printf "| %d %s | %.1f ± %.1f | %.1f ± %.1f | %s ± %s | %s |\n", k, NM[k + 1], ma, sd(a, k, m, ma), mb, sd(b, k, m, mb), p, q, ok
      else printf "| %d %s | %.1f | %.1f | %s ± %s | %s |\n", k, NM[k + 1], ma, mb, p, q, ok
    }
    printf "| mean | %.1f | %.1f | %.1f | %d of %d |\n", sa / nk, sb / nk, sp / nk, within, nk
  }' > "$table.tmp"
mv "$table.tmp" "$table"
echo "one-class: $seeds seed(s) a class, table in $table"
cat "$table"

#!/usr/bin/env bash
# Compression against JPEG (issue 28): `clae rate-distortion` over the CIFAR-10 test set for
# every checkpoint given (their .clz files at each bit depth, and the unquantised code) and
# for JPEG at each quality, in one process; writes docs/rate-distortion.csv, the table
# docs/rate-distortion.md and the figure docs/rate-distortion.png (PSNR and SSIM against
# bits per pixel).
#   scripts/rate-distortion.sh [--bits LIST] [--jpeg LIST] [--limit N] [--data DIR]
#                              [--out DIR] CKPT...
# Defaults: --bits 2,3,4,5,6,8, --jpeg 5,10,15,20,30,40,50,60,70,80,90,95, the whole test
# set, --out docs. The checkpoints of the README's figures: runs/compress-*/best.safetensors
# after `clae train configs/compress-*.cfg` (see "Compression against JPEG").
set -euo pipefail
cd "$(dirname "$0")/.."
bits=2,3,4,5,6,8 jpeg=5,10,15,20,30,40,50,60,70,80,90,95 out=docs
extra=() ckpts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --bits) bits=$2; shift 2 ;;
    --jpeg) jpeg=$2; shift 2 ;;
    --limit|--data|--device) extra+=("$1" "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    -*) echo "rate-distortion: unknown option '$1' (--bits, --jpeg, --limit, --data, --device, --out)" >&2
        exit 2 ;;
    *) ckpts+=("$1"); shift ;;
  esac
done
[ ${#ckpts[@]} -gt 0 ] || { echo "rate-distortion: no checkpoint given (usage: scripts/rate-distortion.sh CKPT...)" >&2; exit 2; }
clae=${CLAE:-build/clae}
[ -x "$clae" ] || scripts/build.sh >/dev/null
mkdir -p "$out"
"$clae" rate-distortion "${ckpts[@]}" --bits "$bits" --jpeg "$jpeg" "${extra[@]}" \
  --csv "$out/rate-distortion.csv" --plot "$out/rate-distortion.png" >/dev/null
# The table: one row per setting, as the CSV has them (the model's file name, not its path).
awk -F, 'NR == 1 {
           print "| codec | model | code | setting | bits per pixel (file) | bits per pixel (payload) | PSNR (dB) | SSIM |"
           print "|---|---|---|---|---:|---:|---:|---:|"
           next
         }
         { n = split($2, p, "/"); m = n >= 2 ? p[n - 1] "/" p[n] : $2
           printf "| %s | %s | %s | %s | %.3f | %.3f | %.2f | %.4f |\n", $1, m, $3, $4, $6, $7, $8, $9
           images = $5 }
         END { printf "\n%s CIFAR-10 test images; made by scripts/rate-distortion.sh.\n", images }' \
  "$out/rate-distortion.csv" >"$out/rate-distortion.md"
cat "$out/rate-distortion.md"
echo "wrote $out/rate-distortion.csv, $out/rate-distortion.md and $out/rate-distortion.png"

# shellcheck shell=bash
# CLI checks for 'clae plot' figures (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail,
# expect_ok, pass, fail): every history in docs/ plots to a PNG of the size its panels make,
# titled with the run's name; the TrueType font (DejaVu Sans, fonts-dejavu-core) is found
# without a word, CLAE_FONT=builtin draws the bitmap font, and a CLAE_FONT that is no font
# gets one note and still a plot.
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
pl=$tmp/plots
mkdir -p "$pl/runs/my-run"
# plot_size FILE: "WxH" from the PNG header (bytes 16..23, big-endian)
plot_size() {
  od -An -tu1 -j16 -N8 "$1" 2>/dev/null |
    awk '{printf "%dx%d\n", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'
}
# plot_ok NAME PATTERN SIZE OUT CMD...: exit 0, PATTERN in stdout, nothing on stderr, OUT of SIZE
plot_ok() {
  local name=$1 pat=$2 size=$3 out=$4; shift 4
  if "$@" >"$pl/out" 2>"$pl/err" && grep -q -- "$pat" "$pl/out" && [ ! -s "$pl/err" ] &&
    [ "$(plot_size "$out")" = "$size" ]; then
    echo "ok   $name: $(cat "$pl/out")"; pass=$((pass + 1))
  else
    echo "FAIL $name (want $size):"; cat "$pl/out" "$pl/err"; plot_size "$out"; fail=$((fail + 1))
  fi
}
plot_ok "plot docs/vae-history.jsonl (a terms panel)" 'wrote .*vae.png (800x820): 30 epochs, "vae"' \
  800x820 "$pl/vae.png" "$clae" plot docs/vae-history.jsonl "$pl/vae.png"
plot_ok "plot docs/deblur-history.jsonl" 'wrote .*deblur.png (800x500): 30 epochs, "deblur"' \
  800x500 "$pl/deblur.png" "$clae" plot docs/deblur-history.jsonl "$pl/deblur.png"
plot_ok "plot docs/blur-removal-history.jsonl" '(800x500): 100 epochs, "blur-removal"' \
  800x500 "$pl/br.png" "$clae" plot docs/blur-removal-history.jsonl "$pl/br.png"
plot_ok "plot docs/deblur-residual-history.jsonl" '"deblur-residual"' \
  800x500 "$pl/dr.png" "$clae" plot docs/deblur-residual-history.jsonl "$pl/dr.png"
cp docs/deblur-history.jsonl "$pl/runs/my-run/history.jsonl"
plot_ok "plot a run's history: titled with its folder" '"my-run"' 800x500 "$pl/run.png" \
  "$clae" plot "$pl/runs/my-run/history.jsonl" "$pl/run.png"
plot_ok "plot --title" '"deblur, 30 epochs"' 800x500 "$pl/t.png" \
  "$clae" plot docs/deblur-history.jsonl "$pl/t.png" --title "deblur, 30 epochs"
plot_ok "plot CLAE_FONT=builtin (the bitmap font)" '"vae"' 800x820 "$pl/bitmap.png" \
  env CLAE_FONT=builtin "$clae" plot docs/vae-history.jsonl "$pl/bitmap.png"
# a font file that is none: one note, then DejaVu Sans (or the bitmap font), and the plot
if CLAE_FONT=/etc/hostname "$clae" plot docs/vae-history.jsonl "$pl/nofont.png" >"$pl/out" \
  2>"$pl/err" && [ "$(wc -l <"$pl/err")" -eq 1 ] && grep -q "CLAE_FONT=/etc/hostname: not a TrueType font" \
  "$pl/err" && [ "$(plot_size "$pl/nofont.png")" = 800x820 ]; then
  echo "ok   plot with a CLAE_FONT that is no font: $(cat "$pl/err")"; pass=$((pass + 1))
else
  echo "FAIL plot with a CLAE_FONT that is no font:"; cat "$pl/out" "$pl/err"; fail=$((fail + 1))
fi
# the figures differ: TrueType text is anti-aliased (many more colours than the bitmap font's)
if ! cmp -s "$pl/vae.png" "$pl/bitmap.png"; then
  echo "ok   plot: the TrueType and bitmap figures differ"; pass=$((pass + 1))
else
  echo "FAIL plot: CLAE_FONT=builtin drew the same figure"; fail=$((fail + 1))
fi

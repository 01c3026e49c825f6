# shellcheck shell=bash
# CLI checks for 'clae data' (sourced by tests/cli.sh: uses $clae, $tmp, expect_fail, expect_ok).
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
expect_fail "data: no subcommand" "expected a subcommand" "$clae" data
expect_fail "data import: missing args" "expected DIR and OUT" "$clae" data import
expect_fail "data import: missing dir" "$tmp/no-such-dir/train: cannot open" \
  "$clae" data import "$tmp/no-such-dir" "$tmp/data-out"
expect_fail "data import: bad --threads" "--threads needs a number" \
  "$clae" data import "$tmp/no-such-dir" "$tmp/data-out" --threads 0
expect_fail "data info: missing dir" "data_batch_1.bin: cannot open" "$clae" data info "$tmp/no-such-dir"
mkdir -p "$tmp/data-bad"
head -c 3000 /dev/zero >"$tmp/data-bad/data_batch_1.bin"
expect_fail "data info: truncated file" "data_batch_1.bin: size 3000 is not a whole number of 3073-byte records" \
  "$clae" data info "$tmp/data-bad"
# a zero-byte batch among whole ones is an error, not a split 200 records smaller
mkdir -p "$tmp/data-empty"
for i in 1 2 4 5; do head -c $((200 * 3073)) /dev/zero >"$tmp/data-empty/data_batch_$i.bin"; done
: >"$tmp/data-empty/data_batch_3.bin"
head -c $((200 * 3073)) /dev/zero >"$tmp/data-empty/test_batch.bin"
expect_fail "data info: empty batch file" "data-empty/data_batch_3.bin: empty (0 bytes): a batch file holds at least one 3073-byte record" \
  "$clae" data info "$tmp/data-empty"
expect_fail "train: empty batch file" "data-empty/data_batch_3.bin: empty (0 bytes)" \
  "$clae" train configs/denoiser.cfg --data "$tmp/data-empty" --device ref --out "$tmp/data-empty-run"
# a label past the classes batches.meta.txt names (label 200 in every 7th
# record of data_batch_2.bin) is refused, naming the file and the record
mkdir -p "$tmp/data-labels"
cp "$tmp"/data-empty/data_batch_[1245].bin "$tmp/data-empty/test_batch.bin" "$tmp/data-labels/"
cp "$tmp/data-empty/data_batch_1.bin" "$tmp/data-labels/data_batch_3.bin"
for k in $(seq 6 7 199); do
  printf '\310' | dd of="$tmp/data-labels/data_batch_2.bin" bs=1 seek=$((k * 3073)) conv=notrunc 2>/dev/null
done
expect_ok "data info: labels without class names: any byte" "200:28" "$clae" data info "$tmp/data-labels"
printf 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n' >"$tmp/data-labels/batches.meta.txt"
expect_fail "data info: label past the named classes" "data-labels/data_batch_2.bin: record 7 of 200 has label 200, but .*data-labels/batches.meta.txt names 10 classes (labels 0 to 9)" \
  "$clae" data info "$tmp/data-labels"
expect_fail "train --classes 200: label past the named classes" "data_batch_2.bin: record 7 of 200 has label 200" \
  "$clae" train configs/denoiser.cfg --data "$tmp/data-labels" --classes 200 --device ref --out "$tmp/data-labels-run"
expect_ok "data --help" "clae data import DIR OUT" "$clae" data --help

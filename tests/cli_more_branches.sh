# shellcheck shell=bash
# CLI checks for models with branches (sourced by tests/cli.sh: uses $clae,
# $tmp, expect_ok, expect_fail): summary draws the trunk and each branch;
# what cannot run them yet says so in one line.
: "${clae:?sourced by tests/cli.sh}" "${tmp:?sourced by tests/cli.sh}"
two=tests/models/two-decoders.cfg
expect_ok "branches: summary draws each branch with its parameters" \
  '|- branch cats: 2 layers, 2,755 params' "$clae" summary "$two"
expect_ok "branches: summary's last branch and the shared trunk" \
  'Shared trunk (layers.0 to layers.2): 1,392 params' "$clae" summary "$two"
expect_fail "branches: train says they do not run yet" "a model with branches (cats, dogs)" \
  "$clae" train "$two" --data "$tmp" --out "$tmp/branched"
expect_fail "branches: one [branch] alone" "one \[branch\]" \
  "$clae" summary tests/configs/branch_one.cfg

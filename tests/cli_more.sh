# More CLI checks, sourced by tests/cli.sh (uses its expect_fail / expect_ok, $clae, $tmp).

# clae summary
expect_ok "summary denoiser total" "Total params: 6,467" "$clae" summary configs/denoiser.cfg
expect_ok "summary denoiser shape" "layers.5 (conv2d_transpose) *(None, 32, 32, 16) *2,320" \
  "$clae" summary configs/denoiser.cfg
expect_ok "summary --help" "usage: clae summary" "$clae" summary --help
expect_fail "summary no config" "missing CONFIG" "$clae" summary
expect_fail "summary extra argument" "unexpected argument" "$clae" summary configs/denoiser.cfg x.cfg
expect_fail "summary unknown option" "unknown option '--frob'" "$clae" summary --frob configs/denoiser.cfg
expect_fail "summary missing file" "^clae: no/such.cfg: cannot open: No such file or directory$" \
  "$clae" summary no/such.cfg
expect_fail "summary unknown key" "^clae: tests/configs/unknown_key.cfg:11: unknown key.*(key 'kernel')$" \
  "$clae" summary tests/configs/unknown_key.cfg
expect_fail "summary filters=0" "^clae: tests/configs/filters_zero.cfg:10: bad value '0'.*(key 'filters')$" \
  "$clae" summary tests/configs/filters_zero.cfg
expect_fail "summary size=2.5" "^clae: tests/configs/size_float.cfg:11: bad value '2.5'.*(key 'size')$" \
  "$clae" summary tests/configs/size_float.cfg
expect_fail "summary size=abc" "^clae: tests/configs/size_abc.cfg:11: bad value 'abc'.*(key 'size')$" \
  "$clae" summary tests/configs/size_abc.cfg
expect_fail "summary unknown section" "^clae: tests/configs/unknown_section.cfg:8: unknown section \[lstm\]" \
  "$clae" summary tests/configs/unknown_section.cfg
expect_fail "summary conv larger than input" "^clae: tests/configs/conv_too_big.cfg:11: .*does not fit" \
  "$clae" summary tests/configs/conv_too_big.cfg
expect_fail "summary pool to size 0" "^clae: tests/configs/pool_to_zero.cfg:12: .*does not fit" \
  "$clae" summary tests/configs/pool_to_zero.cfg
expect_fail "summary parameters past 2^31" "^clae: tests/configs/params_overflow.cfg: the layers have 4295000064 parameters in all (aligned); at most 2147483647$" \
  "$clae" summary tests/configs/params_overflow.cfg
expect_fail "summary missing [net]" "^clae: tests/configs/missing_net.cfg: missing \[net\] section$" \
  "$clae" summary tests/configs/missing_net.cfg
expect_fail "summary no layers" "^clae: tests/configs/no_layers.cfg: no layers" \
  "$clae" summary tests/configs/no_layers.cfg
expect_fail "summary syntax error" "^clae: tests/configs/syntax_no_equals.cfg:9: syntax error" \
  "$clae" summary tests/configs/syntax_no_equals.cfg
expect_fail "summary directory" "^clae: tests/configs: cannot read" "$clae" summary tests/configs
printf '[net]\ninput=4,4,1\n\000\n' >"$tmp/nul.cfg"
expect_fail "summary binary file" "NUL byte" "$clae" summary "$tmp/nul.cfg"
expect_fail "summary --device without value" "needs a value" "$clae" summary configs/denoiser.cfg --device
expect_ok "summary --device ref" "Total params: 6,467" "$clae" summary configs/denoiser.cfg --device ref

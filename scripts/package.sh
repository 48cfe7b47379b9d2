#!/usr/bin/env bash
# Builds the npm package into pkg/: release wasm → wasm-bindgen --target web → wasm-opt -Oz →
# pkg-template/ + glue, assembled by scripts/assemble-pkg.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/wasm-bindgen
wasm=target/wasm32-unknown-unknown/release/partner_referrals.wasm

# strip=debuginfo, not the profile's strip=true: that would drop the target_features section that
# wasm-bindgen and wasm-opt read to know which wasm features the module uses.
CARGO_PROFILE_RELEASE_STRIP=debuginfo cargo build --release --lib --target wasm32-unknown-unknown -j2
rm -rf "$out" && mkdir -p "$out"
# One glue for every entry: the node entry calls initSync with the bytes, the web entry calls
# init with a URL. No default URL in the glue: the entries pass it, so bundlers see one asset.
wasm-bindgen --target web --out-dir "$out" --out-name partner_referrals \
  --omit-default-module-path "$wasm"
# wasm-opt reads the features the module uses from its target_features section, then drops it.
# --converge repeats -Oz until the module stops shrinking (-0.3 KiB gzip, a few seconds). Not
# --low-memory-unused: it assumes the lowest 1 KiB is never accessed, and that is the bottom
# of Rust's stack.
node_modules/.bin/wasm-opt -Oz --converge --strip-debug --strip-producers --strip-target-features \
  -o "$out/partner_referrals_bg.opt.wasm" "$out/partner_referrals_bg.wasm"
mv "$out/partner_referrals_bg.opt.wasm" "$out/partner_referrals_bg.wasm"
node scripts/assemble-pkg.mjs "$out" pkg

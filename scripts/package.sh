#!/usr/bin/env bash
# Builds the npm package into pkg/: release wasm → wasm-bindgen --target web → wasm-opt -Oz →
# pkg-template/ + glue, assembled by scripts/assemble-pkg.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/wasm-bindgen
wasm=target/wasm32-unknown-unknown/release/partner_referrals.wasm

# strip=debuginfo, not the profile's strip=true: that would drop the target_features section that
# wasm-bindgen and wasm-opt read to know which wasm features the module uses.
export CARGO_PROFILE_RELEASE_STRIP=debuginfo

# The shipped wasm is built with a pinned nightly when scripts/setup.sh could install it: std
# rebuilt at opt-level z with our LTO (-Zbuild-std), panics as plain traps (no message or
# location strings: the crate has no reachable panic), `{:?}` compiled out (no message of ours
# uses it) and std's optimize_for_size paths; docs/decisions/size.md has the measured saving.
# Its own target dir, so the stable builds of `make test` keep theirs. PR_NIGHTLY=0, or a
# missing toolchain, builds with stable instead (same behaviour, a bigger wasm): the line below
# says which one was used.
nightly=$(cat scripts/nightly-toolchain)
if [[ ${PR_NIGHTLY:-1} != 0 ]] && rustup run "$nightly" rustc --version >/dev/null 2>&1 \
  && [[ -d "$(rustup run "$nightly" rustc --print sysroot)/lib/rustlib/src/rust/library" ]]; then
  echo "package: building the wasm with $nightly -Zbuild-std (smaller)"
  nightly_target=${CARGO_TARGET_DIR:-target}/nightly-build-std
  if RUSTFLAGS="-Zlocation-detail=none -Zfmt-debug=none -Zunstable-options -Cpanic=immediate-abort" \
    cargo "+$nightly" build --release --lib --target wasm32-unknown-unknown -j2 \
    --target-dir "$nightly_target" \
    -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size; then
    wasm=$nightly_target/wasm32-unknown-unknown/release/partner_referrals.wasm
  else
    # A nightly that cannot build std is no reason to ship nothing: stable builds the same code.
    echo "package: the $nightly build failed; building the wasm with stable (the wasm is larger)" >&2
    cargo build --release --lib --target wasm32-unknown-unknown -j2
  fi
else
  why="no $nightly with rust-src"; [[ ${PR_NIGHTLY:-1} == 0 ]] && why="PR_NIGHTLY=0"
  echo "package: building the wasm with stable ($why; the wasm is larger)"
  cargo build --release --lib --target wasm32-unknown-unknown -j2
fi
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

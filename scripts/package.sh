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

# The shipped wasm is built with the nightly pinned in scripts/nightly-toolchain: std rebuilt
# at opt-level z with our LTO (-Zbuild-std), panics as plain traps (no message or location
# strings: the crate has no reachable panic), `{:?}` compiled out (no message of ours uses it)
# and std's optimize_for_size paths (docs/build.md). Its own target dir, so the stable builds
# of `make test` keep theirs. A missing or failing nightly is an error: PR_NIGHTLY=0 is the one
# way to build with the stable of rust-toolchain.toml instead (same code, a larger wasm).
if [[ ${PR_NIGHTLY:-1} == 0 ]]; then
  echo "package: building the wasm with stable (PR_NIGHTLY=0; the wasm is larger)"
  cargo build --release --lib --target wasm32-unknown-unknown -j2
else
  nightly=$(cat scripts/nightly-toolchain)
  if ! rustup run "$nightly" rustc --version >/dev/null 2>&1 \
    || [[ ! -d "$(rustup run "$nightly" rustc --print sysroot)/lib/rustlib/src/rust/library" ]]; then
    echo "package: $nightly with rust-src is not installed: run make setup, or build with stable: PR_NIGHTLY=0 make package" >&2
    exit 1
  fi
  echo "package: building the wasm with $nightly -Zbuild-std"
  nightly_target=${CARGO_TARGET_DIR:-target}/nightly-build-std
  RUSTFLAGS="-Zlocation-detail=none -Zfmt-debug=none -Zunstable-options -Cpanic=immediate-abort" \
    cargo "+$nightly" build --release --lib --target wasm32-unknown-unknown -j2 \
    --target-dir "$nightly_target" \
    -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size || {
    echo "package: the $nightly build failed; PR_NIGHTLY=0 make package builds with stable" >&2
    exit 1
  }
  wasm=$nightly_target/wasm32-unknown-unknown/release/partner_referrals.wasm
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
node_modules/.bin/wasm-opt -Oz --converge --strip-debug --strip-producers \
  -o "$out/partner_referrals_bg.opt.wasm" "$out/partner_referrals_bg.wasm"
# Then the names the glue and the module share (wasm-bindgen's imports carry a 16-digit hash
# each) become one or two letters; wasm-opt prints the renaming as JSON, and
# scripts/assemble-pkg.mjs applies it to the glue (docs/build.md). A separate run, so that
# --converge never renames twice.
node_modules/.bin/wasm-opt --minify-imports-and-exports-and-modules --strip-target-features \
  -o "$out/partner_referrals_bg.wasm" "$out/partner_referrals_bg.opt.wasm" >"$out/names.json"
rm "$out/partner_referrals_bg.opt.wasm"
node scripts/assemble-pkg.mjs "$out" pkg

#!/usr/bin/env bash
# Installs whatever `make package`/`make test` need and is missing, on a fresh Debian machine.
# Idempotent and fast when everything is present. Prints one line per tool.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Rust: the stable of rust-toolchain.toml with its wasm32 target, rustfmt and clippy --------
stable=$(sed -n 's/^channel = "\(.*\)"$/\1/p' rust-toolchain.toml)
if ! rustup run "$stable" rustc --version >/dev/null 2>&1 \
  || ! rustup target list --toolchain "$stable" --installed | grep -qx wasm32-unknown-unknown \
  || ! rustup component list --toolchain "$stable" --installed | grep -q '^clippy' \
  || ! rustup component list --toolchain "$stable" --installed | grep -q '^rustfmt'; then
  say "installing rust $stable with wasm32-unknown-unknown, rustfmt and clippy"
  rustup toolchain install "$stable" --profile minimal --component rustfmt,clippy \
    --target wasm32-unknown-unknown
fi
say "rust $stable"

# --- the pinned nightly that builds the shipped wasm (scripts/package.sh): rustc, cargo and
# rust-src only (about 100 MB to download; -Zbuild-std compiles std for wasm32 itself).
# PR_NIGHTLY=0 skips it, and the package is then built with the stable above (a larger wasm).
nightly=$(cat scripts/nightly-toolchain)
if [[ ${PR_NIGHTLY:-1} != 0 ]]; then
  if ! rustup run "$nightly" rustc --version >/dev/null 2>&1 \
    || ! rustup component list --toolchain "$nightly" --installed | grep -q '^rust-src'; then
    say "installing rust $nightly (minimal + rust-src) for the package build"
    rustup toolchain install "$nightly" --profile minimal --component rust-src || {
      echo "setup: could not install $nightly; PR_NIGHTLY=0 builds the package with stable instead" >&2
      exit 1
    }
  fi
  say "rust $nightly for the package build"
fi

# --- wasm-bindgen CLI: must equal the wasm-bindgen crate version in Cargo.lock -----------
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ] || ! command -v wasm-bindgen-test-runner >/dev/null; then
  say "installing wasm-bindgen-cli $want (was: ${have:-none}; takes a few minutes)"
  cargo install wasm-bindgen-cli --version "$want" --locked -j2
fi
say "wasm-bindgen $want"

# --- Node >= 20 and the pinned root dev tools (typescript, binaryen, playwright-core) ----
command -v node >/dev/null || { echo "setup: node >= 20 is required" >&2; exit 1; }
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || { echo "setup: node >= 20 is required, found $(node --version)" >&2; exit 1; }
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci (root dev tools)"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "node $(node --version), $(node_modules/.bin/tsc --version), wasm-opt $(node_modules/.bin/wasm-opt --version | awk '{print $3}')"

# --- Chromium + ChromeDriver for the browser tests ---------------------------------------
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "installing chromium, chromium-driver and a CJK font for screenshots (apt)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null
fi
say "$(/usr/bin/chromedriver --version | awk '{print $1, $2}')"

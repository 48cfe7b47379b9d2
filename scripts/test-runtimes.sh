#!/usr/bin/env bash
# The package in each runtime it ships for, installed from the packed tarball as a user would,
# against the local emulator (tests/js/runtimes/):
#   - Node: examples/node/export-pending.mjs run with `node` (CSV, progress, errors, Ctrl-C);
#     examples/node/decline-stale.mjs (--dry-run, a real run, bad arguments);
#   - Vite: examples/vite built with `vite build` (vite pinned by its package-lock.json), served
#     statically, in headless Chromium: the page and its dedicated module worker;
#   - MV3 extension: examples/extension with the installed package copied into lib/, loaded
#     unpacked into headless Chromium: badge, popup, incremental sync across polls.
# `scripts/test-runtimes.sh node vite` runs only those suites (default: all).
# Needs pkg/ (`make package`). The emulator is $PARTNER_REFERRALS_EMULATOR when set (`make
# test-runtimes` passes the dev build of `make test-emulator`), else the release build, built
# here if needed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[ -f pkg/package.json ] || { echo "test-runtimes: pkg/ is missing, run make package" >&2; exit 1; }

target=${CARGO_TARGET_DIR:-$repo/target}
emulator=${PARTNER_REFERRALS_EMULATOR:-}
if [[ -z $emulator ]]; then
  emulator=$target/release/partner-referrals-emulator
  # A no-op when it is up to date.
  cargo build -p partner-referrals-emulator --release -j2 --quiet
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/partner-referrals-runtimes.XXXXXX")
trap 'rm -rf "$work"' EXIT
npm_install() { npm install --no-audit --no-fund --loglevel=error "$@" >/dev/null; }

tgz=$(npm pack ./pkg --pack-destination "$work" --silent | tail -n1)
echo "test-runtimes: packed $tgz"

# Node: a project with nothing but the tarball, and the script beside it.
mkdir -p "$work/app"
echo '{ "name": "runtimes-node", "private": true, "type": "module" }' > "$work/app/package.json"
(cd "$work/app" && npm_install "$work/$tgz")
cp -r examples/node "$work/app/node"

# Vite: the example as committed (its lockfile pins vite), the package from the tarball.
mkdir -p "$work/vite"
tar -C examples/vite --exclude=node_modules --exclude=dist -cf - . | tar -C "$work/vite" -xf -
echo "test-runtimes: vite build (examples/vite)"
(cd "$work/vite" && npm_install "$work/$tgz" && npx --no-install vite build --logLevel warn)

# Extension: no bundler; the installed package is copied into lib/ as the README says.
cp -r examples/extension "$work/extension"
mkdir -p "$work/extension/lib"
cp -r "$work/app/node_modules/partner-referrals" "$work/extension/lib/partner-referrals"

suites=()
for name in "${@:-node decline changes vite extension}"; do
  for n in $name; do suites+=("tests/js/runtimes/$n.runtime.test.mjs"); done
done
echo "test-runtimes: node --test ${suites[*]}"
PARTNER_REFERRALS_REPO="$repo" RUNTIMES_WORK="$work" EMULATOR="$emulator" \
  node --test --test-concurrency=1 "${suites[@]}"

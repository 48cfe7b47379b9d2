#!/usr/bin/env bash
# JS consumer tests of the built package, as a user gets it: `npm pack ./pkg`, install the
# tarball into a fresh temp project, then
#   - node --test: every export from Node (tests/js/*.test.mjs), incl. a headless Chromium page,
#     a dedicated worker and a module service worker that import the browser entry;
#   - tsc --noEmit --strict on tests/js/consumer.ts against the installed package.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[ -f pkg/package.json ] || { echo "test-js: pkg/ is missing, run make package" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/partner-referrals-js.XXXXXX")
trap 'rm -rf "$work"' EXIT

tgz=$(npm pack ./pkg --pack-destination "$work" --silent | tail -n1)
echo "test-js: packed $tgz ($(du -k "$work/$tgz" | cut -f1) KiB)"
cat > "$work/package.json" <<'JSON'
{ "name": "partner-referrals-consumer", "private": true, "type": "module" }
JSON
(cd "$work" && npm install --no-audit --no-fund --loglevel=error "./$tgz" >/dev/null)

cp tests/js/*.mjs tests/js/consumer.ts tests/js/tsconfig.json "$work/"
cp -r tests/js/www "$work/www"
cp -r tests/fixtures "$work/fixtures"

echo "test-js: tsc --noEmit --strict (tests/js/consumer.ts)"
(cd "$work" && "$repo/node_modules/.bin/tsc" -p tsconfig.json)

echo "test-js: node --test"
(cd "$work" && PARTNER_REFERRALS_REPO="$repo" node --test --test-concurrency=2 ./*.test.mjs)

#!/usr/bin/env bash
# make bench: every guard and figure in one run on this machine, side by side with its
# baseline; prints ONE table with each guard's verdict and writes bench/RESULTS.md (and
# nothing else).
#
# usage: scripts/bench.sh [--quick] [--no-write] [--only GROUPS]
#   --only      comma-separated groups of rows: decode, validate, build, size, startup, client,
#               native (criterion). For working on one figure; implies --no-write.
#   --quick     tiny iteration counts, criterion in test mode (each bench once), the bench
#               crate and the emulator in the dev profile (no LTO build for a smoke run; the
#               same build as `make test-emulator`): proves that every row still runs; the
#               figures mean nothing, so RESULTS.md is never written (implies --no-write).
#               For `make test`.
#   --no-write  print the table only; leave bench/RESULTS.md alone.
#
# Needs: pkg/ (`make package`; run here when missing), Node, cargo, /usr/bin/chromium
# (or $CHROMIUM). Builds the emulator and the bench crate: release (the emulator in the root
# workspace, the bench crate in bench/, its own workspace), or both in bench/'s dev build with
# --quick.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

quick=0
write=1
only=
while (($#)); do
  case "$1" in
    --quick) quick=1 write=0 ;;
    --no-write) write=0 ;;
    --only) only=${2:?--only needs a list}; write=0; shift ;;
    *) echo "usage: scripts/bench.sh [--quick] [--no-write] [--only GROUPS]" >&2; exit 2 ;;
  esac
  shift
done
wants() { [[ -z $only || ,$only, == *,$1,* ]]; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
since_ms=$(($(date +%s) * 1000 - 1000))
target=${CARGO_TARGET_DIR:-$root/target}
# bench/ is its own workspace with its own lock file: it must not share target/release with
# the root workspace, because the library's rlib (crate-type cdylib + rlib) has no hash in its
# file name and the two builds would overwrite each other's copy.
bench_target=$target/bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[[ -f pkg/partner_referrals_bg.wasm ]] || make package

# The harness and the peers, pinned by bench/js/package-lock.json (playwright-core is the root's).
if [[ ! -d bench/js/node_modules || bench/js/package-lock.json -nt bench/js/node_modules ]]; then
  (cd bench/js && npm ci --no-audit --no-fund --loglevel=error)
  touch bench/js/node_modules
fi
[[ -d node_modules/playwright-core ]] || npm ci --no-audit --no-fund --loglevel=error

if ((quick)); then
  echo "bench: building the bench crate and the emulator (dev profile)" >&2
  CARGO_TARGET_DIR=$bench_target cargo build -j2 -q --manifest-path bench/Cargo.toml \
    -p partner-referrals-bench --bin bench-data -p partner-referrals-emulator --bin partner-referrals-emulator
  emulator=$bench_target/debug/partner-referrals-emulator
  "$bench_target/debug/bench-data" "$work/data" >&2
else
  cargo build -j2 --release -q -p partner-referrals-emulator
  emulator=$target/release/partner-referrals-emulator
  echo "bench: building the bench crate (release)" >&2
  CARGO_TARGET_DIR=$bench_target cargo build -j2 --release -q --manifest-path bench/Cargo.toml --bin bench-data
  "$bench_target/release/bench-data" "$work/data" >&2
fi

if wants native; then
echo "bench: native Rust (criterion)" >&2
if ((quick)); then
  # Test mode: each benchmark runs once, in the dev build made above.
  CARGO_TARGET_DIR=$bench_target cargo test -j2 -q --manifest-path bench/Cargo.toml --bench core \
    > "$work/criterion.log" 2>&1 || { cat "$work/criterion.log" >&2; exit 1; }
else
  CARGO_TARGET_DIR=$bench_target cargo bench -j2 -q --manifest-path bench/Cargo.toml --bench core -- \
    --warm-up-time 1 --measurement-time 3 --noplot > "$work/criterion.log" 2>&1 \
    || { cat "$work/criterion.log" >&2; exit 1; }
fi
fi

echo "bench: JS rows (Node, Chromium, the emulator)" >&2
js_args=(--pkg "$root/pkg" --data "$work/data" --out "$work/js.json"
  --emulator "$emulator")
((quick)) && js_args+=(--quick)
[[ -n $only ]] && js_args+=(--only "$only")
node --expose-gc bench/js/run.mjs "${js_args[@]}"

report_args=(--js "$work/js.json" --criterion "$bench_target/criterion" --since "$since_ms"
  --load-start "$load_start" --out bench/RESULTS.md)
((quick)) && report_args+=(--quick)
((write)) || report_args+=(--no-write)
node bench/js/report.mjs "${report_args[@]}"

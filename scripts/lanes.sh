#!/usr/bin/env bash
# Runs make targets in lanes: the targets of one lane in order, the lanes side by side.
#   scripts/lanes.sh "fmt-check clippy test-native" "package test-js"
# `make test` uses two lanes (see the Makefile): on two cores a lane of builds and a lane of
# suites that mostly wait (servers, Chromium, time-outs) keep both cores busy.
# Each target's output goes to its own log and is printed whole when the target ends, under a
# header with its verdict and time, so the lanes never interleave line by line. A lane stops
# at its first failure; the other lanes run on. Exit status 1 names every failed target.
# The targets run with `make -o setup -o package -o test-emulator`: `make test` has run
# set-up, and a lane builds pkg/ and the emulator once, as targets of their own, before the
# suites that use them.
set -euo pipefail
cd "$(dirname "$0")/.."

logs=$(mktemp -d "${TMPDIR:-/tmp}/partner-referrals-lanes.XXXXXX")
trap 'rm -rf "$logs"' EXIT
trap 'kill $(jobs -p) 2>/dev/null; exit 130' INT TERM
start=$SECONDS

lane() {
  local target old status t0
  for target in $1; do
    old=()
    for built in setup package emulator test-emulator; do
      [[ $built == "$target" ]] || old+=(-o "$built")
    done
    t0=$SECONDS
    if make --no-print-directory "${old[@]}" "$target" >"$logs/$target.log" 2>&1; then
      status=ok
    else
      status=FAILED
    fi
    # One lane prints at a time: the lock keeps a log and its header together.
    {
      flock 9
      printf '\n===== %s: %s in %ds (at %ds)\n' "$target" "$status" $((SECONDS - t0)) $((SECONDS - start))
      cat "$logs/$target.log"
      printf '%-20s %-6s %4ds  (at %ds)\n' "$target" "$status" $((SECONDS - t0)) $((SECONDS - start)) >>"$logs/summary"
    } 9>"$logs/print.lock"
    [[ $status == ok ]] || return 1
  done
}

pids=()
for targets in "$@"; do
  lane "$targets" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || true; done

echo
echo "===== summary (${SECONDS}s in all; load $(cut -d' ' -f1-3 /proc/loadavg))"
cat "$logs/summary"
failed=$(awk '$2 == "FAILED" { printf "%s ", $1 }' "$logs/summary")
skipped=()
for target in $*; do
  grep -q "^$target " "$logs/summary" || skipped+=("$target")
done
if [[ -n $failed ]]; then
  echo "make test: FAILED: ${failed% }${skipped[*]:+ (not run: ${skipped[*]})}" >&2
  exit 1
fi

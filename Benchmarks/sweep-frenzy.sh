#!/usr/bin/env bash
# Issue #6's sweep figure: a 200-point x 5-seed sweep of launch-frenzy (1 000 runs) on all of this
# machine's cores (JOBS=N for another count), release build. Prints wall time, CPU, peak memory,
# events, the catalog's size and a checksum of every row (params, metrics, digest, events), so two
# runs (or two commits) can be compared row for row. Figures go to Reports/BENCHMARKS.md.
#
#   bash Benchmarks/sweep-frenzy.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d)}
jobs=${JOBS:-$(nproc)}
mkdir -p "$out"
swift build -c release >/dev/null
rm -f "$out/frenzy.sqlite" "$out/frenzy.csv"
/usr/bin/time -f "%e s wall, %U s user, %M KB max RSS" -o "$out/time.txt" \
  .build/release/pumpsim sweep Scenarios/launch-frenzy.yaml \
  --grid curve.virtual_sol=100..290:10 --grid curve.fee_bps=25..250:25 --seeds 5 --jobs "$jobs" \
  --db "$out/frenzy.sqlite" --csv "$out/frenzy.csv" --quiet >/dev/null
echo "sweep, --jobs $jobs: $(cat "$out/time.txt")"
sqlite3 "$out/frenzy.sqlite" "SELECT 'rows ' || COUNT(*) || ', events ' || SUM(events) || ', mean run ' || printf('%.3f', AVG(wall_seconds)) || ' s, events/s per core ' || printf('%.0f', SUM(events) / SUM(wall_seconds)) FROM sweep_points"
echo "catalog: $(du -h "$out/frenzy.sqlite" | cut -f1)"
echo "rows checksum: $(sqlite3 "$out/frenzy.sqlite" "SELECT idx, params, metrics, digest, events FROM sweep_points ORDER BY idx" | sha256sum | cut -c1-16)"
echo "outputs in $out"

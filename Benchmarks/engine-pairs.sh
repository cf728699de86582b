#!/usr/bin/env bash
# Two builds' engine speed compared at the same moment: launch-frenzy through `pumpsim run --json
# --no-db` on both binaries at once, one per core, so that both see the same neighbours (on a
# noisy VM, runs a second apart can differ by 1.7x). Prints the median, least and largest ratio
# of A's events/s to B's over N pairs. The two runs share the last-level cache and the memory
# bus, so absolute figures are lower than alone; only the ratio is read. Needs 2 cores.
#   Benchmarks/engine-pairs.sh N PUMPSIM_A PUMPSIM_B      e.g. 15 .build/release/pumpsim /tmp/pumpsim-old
set -euo pipefail
case "${1:-}" in
  -h|--help|"") sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
esac
n=$1; a=$2; b=$3
scenario=${SCENARIO:-Scenarios/launch-frenzy.yaml}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ratios=()
for i in $(seq "$n"); do
  "$a" run "$scenario" --json --no-db >"$tmp/a.json" & pa=$!
  "$b" run "$scenario" --json --no-db >"$tmp/b.json" & pb=$!
  wait "$pa" "$pb"
  r=$(python3 -c 'import json,sys; a,b=(json.load(open(f))["events_per_second"] for f in sys.argv[1:]); print(a/b)' "$tmp/a.json" "$tmp/b.json")
  echo "pair $i: A/B $r"
  ratios+=("$r")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR]=$1} END {printf "median A/B %.3f (least %.3f, largest %.3f, %d pairs)\n", (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2), v[1], v[NR], NR}'

#!/usr/bin/env bash
# Whole-process engine speed: launch-frenzy through `pumpsim run --json --no-db`, events/s as the
# run reports it (setup and outcome included), alternating between builds run by run so that all
# see the same machine state.
#   Benchmarks/engine-frenzy.sh RUNS PUMPSIM...        e.g. 11 .build/release/pumpsim /work/old/.build/release/pumpsim
# Prints each run, then per binary the median events/s, its ratio to the last binary's, the
# events and the final digest (builds of different engine versions may run different workloads:
# the events and digests say so).
set -euo pipefail
runs=$1; shift
scenario=${SCENARIO:-Scenarios/launch-frenzy.yaml}
declare -A eps events digest
for i in $(seq "$runs"); do
  for b in "$@"; do
    line=$("$b" run "$scenario" --json --no-db | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["events_per_second"], d["events"], d["digest"])')
    read -r e n d <<<"$line"
    echo "run $i $b: $e events/s ($n events, digest ${d:0:16})"
    eps[$b]="${eps[$b]:-} $e"; events[$b]=$n; digest[$b]=$d
  done
done
median() { printf '%s\n' $1 | sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
last=${!#}
base=$(median "${eps[$last]}")
for b in "$@"; do
  m=$(median "${eps[$b]}")
  echo "median $b: $m events/s ($(python3 -c "print(f'{$m/$base:.2f}')")× the last), ${events[$b]} events, digest ${digest[$b]:0:16}"
done

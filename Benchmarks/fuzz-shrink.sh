#!/usr/bin/env bash
# Whole-process figures for `pumpsim fuzz` and `pumpsim shrink` on the 500-agent, 40-entry
# fixture with the planted defect (Tests/Fixtures/fuzz/launch-500.yaml):
#   bash Benchmarks/fuzz-shrink.sh [PUMPSIM_BINARY]
# Prints seeds/min for fuzz (honest engine, every seed runs to the end; and with the defect),
# and runs, steps and wall time for shrink. Times are wall clock on this machine.
set -euo pipefail
bin=${1:-.build/debug/pumpsim}
fixture=Tests/Fixtures/fuzz/launch-500.yaml
now() { date +%s.%N; }
for jobs in 1 2; do
  t0=$(now)
  "$bin" fuzz "$fixture" --seeds 100 --swarm --jobs "$jobs" --json > /tmp/fuzz-bench.ndjson 2>/dev/null || true
  t1=$(now)
  n=$(wc -l < /tmp/fuzz-bench.ndjson)
  ok=$(grep -c '"ok":true' /tmp/fuzz-bench.ndjson || true)
  python3 -c "import sys; n,ok,t=int(sys.argv[1]),int(sys.argv[2]),float(sys.argv[3]); print(f'fuzz honest   --jobs $jobs: {n} seeds ({ok} ok) in {t:.2f} s = {n/t*60:.0f} seeds/min')" "$n" "$ok" "$(echo "$t1 - $t0" | bc)"
done
t0=$(now)
"$bin" fuzz "$fixture" --seeds 200 --swarm --jobs 2 --json --plant-defect creator-fee-rounded-up > /tmp/fuzz-bench.ndjson 2>/dev/null || true
t1=$(now)
n=$(wc -l < /tmp/fuzz-bench.ndjson); bad=$(grep -c '"ok":false' /tmp/fuzz-bench.ndjson || true)
first=$(grep -m1 -n '"ok":false' /tmp/fuzz-bench.ndjson | cut -d: -f1)
python3 -c "import sys; n,bad,t,f=int(sys.argv[1]),int(sys.argv[2]),float(sys.argv[3]),sys.argv[4]; print(f'fuzz defect   --jobs 2: {n} seeds ({bad} found the defect, first at seed {f}) in {t:.2f} s = {n/t*60:.0f} seeds/min')" "$n" "$bad" "$(echo "$t1 - $t0" | bc)" "$first"
"$bin" shrink "$fixture" --plant-defect creator-fee-rounded-up --json --quiet --out /tmp/shrunk.yaml | python3 -c "
import json,sys; r=json.load(sys.stdin); b,a=r['before'],r['after']
print(f\"shrink: {b['agents']} agents/{b['timeline']} entries/{b['duration_slots']} slots -> {a['agents']}/{a['timeline']}/{a['duration_slots']} in {r['steps']} steps, {r['runs']} runs, {float(r['wall_seconds']):.2f} s\")"
"$bin" shrink "$fixture" --until 'tokens.TEST.sells < 5' --json --quiet --out /tmp/shrunk2.yaml | python3 -c "
import json,sys; r=json.load(sys.stdin); b,a=r['before'],r['after']
print(f\"shrink --until 'tokens.TEST.sells < 5': {b['agents']} agents/{b['timeline']} entries -> {a['agents']}/{a['timeline']} in {r['steps']} steps, {r['runs']} runs, {float(r['wall_seconds']):.2f} s\")"

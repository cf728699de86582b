#!/usr/bin/env bash
# Whole-process engine speed: launch-frenzy through `pumpsim run --json --no-db`, events/s as the
# run reports it, alternating between two builds so that both see the same machine state.
#   Benchmarks/engine-frenzy.sh NEW_PUMPSIM OLD_PUMPSIM [RUNS]
# Prints each run and the median events/s of each binary, and checks the digests agree.
set -euo pipefail
new=$1 old=$2 runs=${3:-9}
scenario=${SCENARIO:-Scenarios/launch-frenzy.yaml}
declare -a a b
for i in $(seq "$runs"); do
  for side in new old; do
    bin=$([ $side = new ] && echo "$new" || echo "$old")
    line=$("$bin" run "$scenario" --json --no-db | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["events_per_second"], d["digest"])')
    eps=${line% *} digest=${line#* }
    echo "$side run $i: $eps events/s  digest ${digest:0:16}"
    if [ $side = new ]; then a+=("$eps"); nd=$digest; else b+=("$eps"); od=$digest; fi
  done
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
echo "median new: $(median "${a[@]}") events/s; old: $(median "${b[@]}") events/s; digests $([ "$nd" = "$od" ] && echo equal || echo DIFFER)"

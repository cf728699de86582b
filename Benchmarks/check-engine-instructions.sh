#!/usr/bin/env bash
# The engine's regression gate by instruction count: valgrind's callgrind counts the instructions
# of one whole launch-frenzy run (`run --json --no-db`), which do not move with the VM's
# neighbours as its wall clock does (on 2026-12-06 the wall-clock gate, check-engine-thresholds.sh,
# read the unchanged engine as 42-136 % WORSE). Exit 0 when the count is within TOLERANCE percent
# (default 3) above the stored one, 2 when it is more, 1 when the run's digest is not the stored
# one's (another workload: its count says nothing); prints the count and the difference.
# It sees more work, not slower work: a change that only adds cache misses passes here and is the
# wall-clock gate's to catch.
#   bash Benchmarks/check-engine-instructions.sh [PUMPSIM] [THRESHOLD_FILE]
# Store a new count after an intended change (the stripped binary's, on this machine's valgrind):
#   UPDATE=1 bash Benchmarks/check-engine-instructions.sh .build/release/pumpsim
set -euo pipefail
case "${1:-}" in
  -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
esac
cd "$(dirname "$0")/.."
bin=${1:-.build/release/pumpsim}
file=${2:-Benchmarks/Thresholds/engine-instructions.launch-frenzy.txt}
tolerance=${TOLERANCE:-3}
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
[ -x "$bin" ] || { echo "no executable at $bin (swift build -c release --product pumpsim)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# valgrind cannot read these binaries' debug info ("possibly corrupted debuginfo"): count a stripped copy.
strip -o "$tmp/pumpsim" "$bin"
valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$tmp/pumpsim" run Scenarios/launch-frenzy.yaml --json --no-db \
  >"$tmp/run.json" 2>"$tmp/valgrind.log" || { cat "$tmp/valgrind.log" >&2; exit 1; }
count=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/valgrind.log")
[ -n "$count" ] || { echo "no instruction count in valgrind's output" >&2; cat "$tmp/valgrind.log" >&2; exit 1; }
digest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"][:16])' "$tmp/run.json")
if [ "${UPDATE:-0}" = 1 ]; then
  echo "$count $digest" >"$file"
  echo "stored $count instructions (digest $digest) in $file"
  exit 0
fi
[ -f "$file" ] || { echo "no stored count in $file (UPDATE=1 stores one)" >&2; exit 1; }
read -r stored stored_digest _ <"$file"
# A count is only comparable for the same workload: the stored run's final digest must match.
if [ -n "${stored_digest:-}" ] && [ "$stored_digest" != "$digest" ]; then
  echo "the run's digest $digest is not the stored count's ($stored_digest): the workload changed; check it, then UPDATE=1" >&2
  exit 1
fi
python3 - "$count" "$stored" "$tolerance" "$digest" <<'PY'
import sys
count, stored, tol, digest = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
diff = (count - stored) / stored * 100
verdict = "WORSE" if diff > tol else "within the threshold"
print(f"launch-frenzy: {count:,} instructions, stored {stored:,}: {diff:+.2f} % (tolerance {tol:g} %), {verdict}; digest {digest}")
sys.exit(2 if diff > tol else 0)
PY

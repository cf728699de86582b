#!/usr/bin/env bash
# Real loopback clients against `pumpsim serve`, next to what the fan-out model predicts.
#   Benchmarks/serve-fanout.sh [PUMPSIM] [CLIENTS...]
# For 1 000 and 10 000 clients (default) and the policies none and window=25ms: serves
# Scenarios/fanout-200k.yaml (one simulated minute of the frenzy) at --speed $SPEED (default 1:
# real time, one minute per case), with the run
# starting once every client has subscribed, and measures with Benchmarks/serve_clients.py
# (Python `websockets`, two processes) the messages/s delivered and the publish-to-receive
# latency (each message's "ts"). Then `pumpsim loadtest` gives the model's figures for the same
# scenario, subscribers and policy. Needs ulimit -n above the client count. SPEED=0.25 slows the
# run (so that many Python clients can keep up); DURATION=20s shortens it (serve and model alike).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/release/pumpsim}
shift || true
[ $# -gt 0 ] && counts=("$@") || counts=(1000 10000)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
topics=ALPHA,ALPHA,ALPHA,ALPHA,BRAVO,BRAVO,CHARLIE,CHARLIE,DELTA,ECHO    # the scenario's topic weights 4:2:2:1:1
printf '| clients | policy | real: messages delivered | real: wall s | real: messages/s | real: p50 ms | real: p99 ms | model: messages delivered | model: p50 ms | model: p99 ms |\n|---|---|---|---|---|---|---|---|---|---|\n'
for n in "${counts[@]}"; do
  for policy in none window=25ms; do
    out=$(mktemp)
    "$bin" serve Scenarios/fanout-200k.yaml --port 0 --speed "${SPEED:-1}" --until-end --no-db --timestamps --wait-for "$n" \
      --max-connections-per-ip 100000 --set "websocket.batching=$policy" --set websocket.write_buffer_bytes=16777216 ${DURATION:+--set duration=$DURATION} > "$out" 2>/dev/null &
    server=$!
    for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.1; done
    url=$(sed 's|listening on http|ws|' "$out")/ws
    real=$(timeout 900 python3 Benchmarks/serve_clients.py "$url" "$n" "$topics" --procs 2) || real='{"messages": "clients timed out", "seconds": "-", "messages_per_second": "-", "latency_ms": {"p50": "-", "p99": "-"}}'
    wait "$server" || true
    rm -f "$out"
    model=$("$bin" loadtest Scenarios/fanout-200k.yaml --subscribers "$n" --batching "$policy" --json --jobs 1 ${DURATION:+--set duration=$DURATION})
    python3 - "$n" "$policy" "$real" "$model" <<'PY'
import json, sys
n, policy, real, model = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
p = next(r for r in model["rows"] if r["policy"] == policy)
print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (n, policy, real["messages"], real["seconds"], real["messages_per_second"],
      real["latency_ms"]["p50"], real["latency_ms"]["p99"], p["delivered"], p["latency_ms"]["p50"], p["latency_ms"]["p99"]))
PY
  done
done

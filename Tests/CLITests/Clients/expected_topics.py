#!/usr/bin/env python3
"""The number of messages each token topic of `pumpsim serve` carries, from the run's trace
alone (`pumpsim trace cat` NDJSON on stdin, the scenario JSON from `pumpsim trace scenario` as
argv[1]): per token, TOKEN_LAUNCHED (TokenCreated) + TRADE (TradeExecuted) + CURVE_COMPLETED
(CurveCompleted) + PRICE_UPDATEs: one per trade (websocket.price_updates: per-trade, the
default) or one per slot in which the token traded (per-slot). A topic's last seq is that count
(seq counts from 1, gapless). Prints {symbol: count}."""
import json, sys
scenario = json.load(open(sys.argv[1]))
symbols = [t["symbol"] for t in scenario["tokens"]]
per_slot = (scenario.get("websocket") or {}).get("price_updates") == "per-slot"
count = {s: 0 for s in symbols}
traded = set()
for line in sys.stdin:
    e = json.loads(line)
    t = e["type"]
    if t in ("TokenCreated", "TradeExecuted", "CurveCompleted"):
        count[symbols[e["mint"]]] += 1
    if t == "TradeExecuted":
        if per_slot:
            traded.add((e["mint"], e["tick"]))
        else:
            count[symbols[e["mint"]]] += 1
for m, _ in traded:
    count[symbols[m]] += 1
print(json.dumps(count, sort_keys=True))

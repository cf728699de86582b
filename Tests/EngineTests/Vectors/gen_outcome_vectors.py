#!/usr/bin/env python3
"""Independent reference for PumpSim's per-token outcome metrics (issue #6).

It reads only what a trace says, through the stock CLI (`pumpsim trace scenario` for the
resolved scenario, `pumpsim trace cat` for every event as NDJSON), and computes every outcome
metric from those facts with its own code: curve reserves folded from the trades, holdings from
the token amounts, the metrics from their definitions (below). It shares no code with
Sources/Engine/RunOutcome+Result.swift or Metrics.swift. Tests/EngineTests/OutcomeVectorTests.swift runs
the same scenarios and compares RunOutcome with what this script wrote.

Definitions (per token):
  graduation       ticks from TradingOpened to CurveCompleted; seconds = slots x slot_ms / 1000
  sol_raised       real SOL in the curve at completion (else at the end): buys' curve SOL - sells'
  spot price       virtual_sol x 10^15 // virtual_tokens (nanolamports per whole token); the
                   price in lamports per token is that / 10^9. Once the curve migrates, the
                   PumpSwap pool's: quote reserve x 10^15 // base reserve, the reserves set by
                   CurveMigrated and moved by each PoolTradeExecuted (a buy takes `base` out and
                   puts raw_quote + lp_fee in; a sell puts `base` in and takes raw_quote - lp_fee
                   out: the LP fee stays in the pool)
  trades           curve trades and pool swaps alike; a swap's SOL paid or received is its
                   user_quote, its "curve SOL" the pool side (raw_quote +/- lp_fee), its fees
                   the protocol and creator fees (the LP fee is the pool's, not a fee paid out)
  peak, drawdown   running maximum of the spot after each trade (from the launch spot); the
                   largest (peak - spot) x 10000 // peak, in bps, reported as percent
  fees             protocol: trade fees + the migration fee; creator: trade fees
  buckets          by SOL paid or received (< 0.1, 0.1-1, 1-10, >= 10 SOL): mean over trades of
                   |execution price - spot before| / spot before ("slippage", execution price =
                   curve SOL x 10^15 / tokens) and |spot after - spot before| / spot before
                   ("impact"), in percent
  early buyers     wallets other than the creator whose first buy landed fewer than
                   early_buyer_window slots after trading opened; return = (SOL received from
                   their sells after that + holding x final spot // 10^15 - SOL spent on buys
                   from that buy on) / SOL spent, percent
  holders          accounts with a balance > 0; Gini = 2 sum(i x_i) / (n sum x) - (n+1)/n over
                   balances ascending; top-10 share = the 10 largest x 10000 // all, bps
  histogram        holders by whole tokens: < 1k, 1k-10k, 10k-100k, 100k-1M, 1M-10M, >= 10M
  rejected         platform refusals, drops and expiries of the token's trades, and trades that
                   failed on chain, by reason; failed_on_chain: the last kind alone
  candles          per window of ceil(duration / 240) slots with trades: start, open (spot
                   before the window's first trade), high, low, close, SOL traded, trades
  price path       the spot when trading opens, at the end of every slot that is a multiple
                   of price_sample_every while the curve trades, and when it completes
  volume path      SOL traded per price_sample_every window that had trades

Regenerate (after a change to the engine's events; the test says when):
    swift build && python3 Tests/EngineTests/Vectors/gen_outcome_vectors.py .build/debug/pumpsim
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))

# (name, scenario, --set overrides): a graduating single launch with rejections; five launches
# in a congested chain with drops and expiries, cut short.
CASES = [
    ("quickstart", "Scenarios/quickstart.yaml", []),
    ("launch-frenzy-150s", "Scenarios/launch-frenzy.yaml", ["duration=150s", "chain.drop_bps=300"]),
]

BUCKET_BOUNDS = [100_000_000, 1_000_000_000, 10_000_000_000]
BUCKET_LABELS = ["< 0.1 SOL", "0.1–1 SOL", "1–10 SOL", "≥ 10 SOL"]
HOLDER_BOUNDS = [1_000, 10_000, 100_000, 1_000_000, 10_000_000]
HOLDER_LABELS = ["< 1k", "1k–10k", "10k–100k", "100k–1M", "1M–10M", "≥ 10M"]
MAX_CANDLES = 240


def slots(text):
    """Durations in the resolved scenario are written "N slots"."""
    assert text.endswith(" slots"), text
    return int(text.split()[0])


def bucket(lamports, bounds):
    k = 0
    while k < len(bounds) and lamports >= bounds[k]:
        k += 1
    return k


class Token:
    def __init__(self, spec):
        curve = spec["curve"]
        assert curve["family"] == "pumpfun", "this reference folds pump.fun reserves only"
        self.symbol = spec["symbol"]
        self.pool = None  # [base, quote] once migrated
        self.vsol = round(curve["virtual_sol"] * 10**9)
        self.vtok = round(curve["virtual_tokens"] * 10**6)
        self.real_sol = 0
        self.open_tick = None
        self.complete_tick = None
        self.raised_at_completion = None
        self.creator = None
        self.peak = self.spot()
        self.last = self.spot()
        self.drawdown_bps = 0
        self.protocol = 0
        self.creator_fees = 0
        self.migration = 0
        self.buys = 0
        self.sells = 0
        self.volume = 0
        self.bucket_n = [0] * 4
        self.bucket_slip = [0.0] * 4
        self.bucket_impact = [0.0] * 4
        self.early = {}  # wallet -> [spent, received], in order of becoming early
        self.rejected = {}
        self.failed = {}
        self.candles = []
        self.price_path = []
        self.volume_path = []

    def spot(self):
        if self.pool is not None:
            return self.pool[1] * 10**15 // self.pool[0] if self.pool[0] > 0 else 2**64 - 1
        return self.vsol * 10**15 // self.vtok if self.vtok > 0 else 2**64 - 1

    def tradable(self):
        return self.open_tick is not None and (self.complete_tick is None or self.pool is not None)


def reference(pumpsim, scenario, overrides):
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, "run.pstrace")
        cmd = [pumpsim, "run", scenario, "--no-db", "--json", "--trace", trace]
        for o in overrides:
            cmd += ["--set", o]
        summary = json.loads(subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout)
        config = json.loads(subprocess.run([pumpsim, "trace", "scenario", trace], check=True, capture_output=True, text=True).stdout)
        cat = subprocess.Popen([pumpsim, "trace", "cat", trace], stdout=subprocess.PIPE, text=True)
        outcome = fold(config, (json.loads(line) for line in cat.stdout))
        assert cat.wait() == 0
    return summary["digest"], outcome


def fold(config, events):
    duration = slots(config["duration"])
    slot_ms = config["slot_ms"]
    sample = max(1, slots(config["price_sample_every"]))
    early_window = slots(config.get("early_buyer_window", "150 slots"))
    candle_slots = max(1, -(-duration // MAX_CANDLES))
    tokens = [Token(t) for t in config["tokens"]]
    balances = {}  # (account, mint) -> base units
    accounts = 0

    def add_balance(account, mint, delta):
        balances[(account, mint)] = balances.get((account, mint), 0) + delta

    def reject(mint, reason, on_chain=False):
        t = tokens[mint]
        t.rejected[reason] = t.rejected.get(reason, 0) + 1
        if on_chain:
            t.failed[reason] = t.failed.get(reason, 0) + 1

    for e in events:
        kind, tick = e["type"], e["tick"]
        for key in ("wallet", "payer", "creator", "user", "from", "to"):
            if isinstance(e.get(key), int):
                accounts = max(accounts, e[key] + 1)
        if kind == "TokenCreated":
            tokens[e["mint"]].creator = e["creator"]
        elif kind == "TradingOpened":
            t = tokens[e["mint"]]
            t.open_tick = tick
            t.price_path.append((tick, t.spot()))
        elif kind in ("TradeExecuted", "PoolTradeExecuted"):
            t = tokens[e["mint"]]
            m, w = e["mint"], e["wallet"]
            before = t.last
            buy = e["side"] == "buy"
            if kind == "TradeExecuted":
                total, moved, curve_sol = e["sol_total"], e["tokens"], e["curve_sol"]
                sign = 1 if buy else -1
                t.vsol += sign * curve_sol
                t.vtok -= sign * moved
                t.real_sol += sign * curve_sol
            else:
                total, moved = e["user_quote"], e["base"]
                curve_sol = e["raw_quote"] + e["lp_fee"] if buy else e["raw_quote"] - e["lp_fee"]
                if buy:
                    t.pool[0] -= moved
                    t.pool[1] += curve_sol
                else:
                    t.pool[0] += moved
                    t.pool[1] -= curve_sol
            if buy:
                t.buys += 1
                add_balance(w, m, moved)
            else:
                t.sells += 1
                add_balance(w, m, -moved)
            after = t.spot()
            t.volume += total
            t.protocol += e["protocol_fee"]
            t.creator_fees += e["creator_fee"]
            t.peak = max(t.peak, after)
            if t.peak > 0:
                t.drawdown_bps = max(t.drawdown_bps, (t.peak - min(after, t.peak)) * 10_000 // t.peak)
            t.last = after
            if before > 0 and moved > 0:
                execution = curve_sol * 1e15 / moved
                k = bucket(total, BUCKET_BOUNDS)
                t.bucket_n[k] += 1
                t.bucket_slip[k] += abs(execution - before) / before
                t.bucket_impact[k] += abs(after - before) / before
            start = tick // candle_slots * candle_slots
            if t.candles and t.candles[-1][0] == start:
                c = t.candles[-1]
                c[2], c[3], c[4] = max(c[2], after), min(c[3], after), after
                c[5] += total
                c[6] += 1
            else:
                t.candles.append([start, before, max(before, after), min(before, after), after, total, 1])
            window = tick // sample * sample
            if t.volume_path and t.volume_path[-1][0] == window:
                t.volume_path[-1][1] += total
            else:
                t.volume_path.append([window, total])
            if w in t.early:
                t.early[w][0 if e["side"] == "buy" else 1] += total
            elif e["side"] == "buy" and w != t.creator and t.open_tick is not None and tick < t.open_tick + early_window:
                t.early[w] = [total, 0]
        elif kind == "CurveCompleted":
            t = tokens[e["mint"]]
            t.complete_tick = tick
            t.raised_at_completion = t.real_sol
            t.price_path.append((tick, t.spot()))
        elif kind == "CurveMigrated":
            tokens[e["mint"]].migration += e["migration_fee_lamports"]
            tokens[e["mint"]].pool = [e["base_tokens"], e["quote_lamports"]]
        elif kind == "TradeRejected":
            reject(e["mint"], e["reason"])
        elif kind == "TradeFailed":
            reject(e["mint"], e["reason"], on_chain=True)
        elif kind == "TxDropped" and e.get("mint") is not None:
            reject(e["mint"], e["reason"])
        elif kind == "TxExpired" and e.get("mint") is not None:
            reject(e["mint"], "Expired")
        elif kind == "SlotEnded" and tick % sample == 0:
            for t in tokens:
                if t.tradable():
                    t.price_path.append((tick, t.spot()))
        elif kind in ("TokensAirdropped", "CompressedTokensMoved"):
            raise SystemExit("this reference does not fold airdrops or compressed moves; pick another scenario")

    out = []
    for m, t in enumerate(tokens):
        held = sorted(b for (a, mint), b in balances.items() if mint == m and b > 0)
        n, total = len(held), sum(held)
        gini = 0.0
        if n > 1 and total > 0:
            gini = 2 * sum((i + 1) * x for i, x in enumerate(held)) / (n * total) - (n + 1) / n
        histogram = [0] * len(HOLDER_LABELS)
        for b in held:
            histogram[bucket(b // 1_000_000, HOLDER_BOUNDS)] += 1
        spent = sum(s for s, _ in t.early.values())
        early_return = None
        if spent > 0:
            value = sum(r for _, r in t.early.values())
            value += sum(balances.get((w, m), 0) * t.spot() // 10**15 for w in t.early)
            early_return = (value / spent - 1) * 100
        graduated = t.complete_tick is not None and t.open_tick is not None
        out.append({
            "symbol": t.symbol,
            "open_tick": t.open_tick,
            "graduation_tick": t.complete_tick,
            "graduation_slots": t.complete_tick - t.open_tick if graduated else None,
            "graduation_seconds": (t.complete_tick - t.open_tick) * slot_ms / 1000 if graduated else None,
            "sol_raised": (t.raised_at_completion if t.raised_at_completion is not None else t.real_sol) / 1e9,
            "final_price": t.spot() / 1e9 if t.open_tick is not None else 0,
            "peak_price": t.peak / 1e9 if t.open_tick is not None else 0,
            "max_drawdown_pct": t.drawdown_bps / 100,
            "protocol_fees_sol": (t.protocol + t.migration) / 1e9,
            "creator_fees_sol": t.creator_fees / 1e9,
            "buys": t.buys,
            "sells": t.sells,
            "volume_sol": t.volume / 1e9,
            "buckets": [{"label": BUCKET_LABELS[k], "trades": t.bucket_n[k],
                         "avg_slippage_pct": t.bucket_slip[k] / t.bucket_n[k] * 100 if t.bucket_n[k] else 0,
                         "avg_impact_pct": t.bucket_impact[k] / t.bucket_n[k] * 100 if t.bucket_n[k] else 0} for k in range(4)],
            "early_buyers": len(t.early),
            "early_spent_sol": spent / 1e9,
            "early_buyer_return_pct": early_return,
            "holders": n,
            "gini": gini,
            "top10_share_bps": sum(held[-10:]) * 10_000 // total if total > 0 else 0,
            "holder_histogram": [{"label": HOLDER_LABELS[k], "count": histogram[k]} for k in range(len(HOLDER_LABELS))],
            "rejected": t.rejected,
            "failed_on_chain": t.failed,
            "candles": [[c[0], c[1] / 1e9, c[2] / 1e9, c[3] / 1e9, c[4] / 1e9, c[5] / 1e9, c[6]] for c in t.candles],
            "candle_slots": candle_slots,
            "price_path": [[tick, p / 1e9] for tick, p in t.price_path],
            "volume_path": [[w, v / 1e9] for w, v in t.volume_path],
        })
    return out


def main():
    pumpsim = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/pumpsim"))
    cases = []
    for name, scenario, overrides in CASES:
        digest, outcome = reference(pumpsim, scenario, overrides)
        cases.append({"name": name, "scenario": scenario, "overrides": overrides, "final_digest": digest, "tokens": outcome})
        print(f"{name}: {len(outcome)} tokens, digest {digest[:16]}…", file=sys.stderr)
    with open(os.path.join(HERE, "outcome_vectors.json"), "w") as f:
        json.dump({"generator": "gen_outcome_vectors.py", "cases": cases}, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()

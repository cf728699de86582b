#!/usr/bin/env python3
"""Independent reference for the pump.fun bonding curve, written from shared/REFERENCE.md Part 1.

It shares no code with the Swift implementation: plain Python integers (arbitrary precision),
the formulas exactly as REFERENCE.md states them. It writes pumpfun_vectors.json, which
Tests/CurvesTests replays against Curves.PumpFunCurve.

Regenerate:  python3 Tests/CurvesTests/Vectors/gen_curve_vectors.py
"""
import json
import os
import random

# Constants, REFERENCE.md Part 1 section 1 (Global account, mainnet).
INITIAL_VIRTUAL_TOKEN = 1_073_000_000_000_000
INITIAL_VIRTUAL_SOL = 30_000_000_000
INITIAL_REAL_TOKEN = 793_100_000_000_000
TOTAL_SUPPLY = 1_000_000_000_000_000

PROFILES = {
    # name: (protocol bps, creator bps, rounding)
    "v2025": (95, 30, "ceil"),
    "may2025": (95, 5, "ceil"),
    "legacy2024": (100, 0, "floor"),
}


class Reject(Exception):
    pass


def ceil_div(a, b):
    return (a + b - 1) // b


def fee(amount, bps, rounding):
    return ceil_div(amount * bps, 10_000) if rounding == "ceil" else amount * bps // 10_000


def fees(amount, profile, creator):
    pbps, cbps, rounding = PROFILES[profile]
    return fee(amount, pbps, rounding), (fee(amount, cbps, rounding) if creator else 0)


def fresh():
    return [INITIAL_VIRTUAL_SOL, INITIAL_VIRTUAL_TOKEN, 0, INITIAL_REAL_TOKEN, False]


def buy_tokens(st, amount, max_sol_cost, profile, creator, partial):
    """Rule 1: buy(amount, max_sol_cost); fee on top of t*X/(Y-t) + 1."""
    x, y, rs, rt, complete = st
    if complete:
        raise Reject("BondingCurveComplete")
    if amount == 0:
        raise Reject("BuyZeroAmount")
    t = amount
    if t > rt:
        if not partial:
            raise Reject("NotEnoughTokensToBuy")
        t = rt
    curve_sol = t * x // (y - t) + 1
    pf, cf = fees(curve_sol, profile, creator)
    total = curve_sol + pf + cf
    if total > max_sol_cost:
        raise Reject("TooMuchSolRequired")
    return t, curve_sol, pf, cf, total


def buy_sol(st, spendable, min_tokens_out, profile, creator, partial):
    """Rule 2: buy_exact_sol_in(spendable, min_tokens_out); fee taken out of the budget first."""
    x, y, rs, rt, complete = st
    if complete:
        raise Reject("BondingCurveComplete")
    pbps, cbps, _ = PROFILES[profile]
    bps = pbps + (cbps if creator else 0)
    net = spendable * 10_000 // (10_000 + bps)
    pf, cf = fees(net, profile, creator)
    if net + pf + cf > spendable:
        net -= net + pf + cf - spendable
    if net <= 1:
        raise Reject("BuyZeroAmount")
    tokens = (net - 1) * y // (x + net - 1)
    if tokens == 0:
        raise Reject("BuyZeroAmount")
    curve_sol = net
    if tokens > rt:
        # Rule 4: capped at real_token, bought at rule-1 cost.
        if not partial:
            raise Reject("NotEnoughTokensToBuy")
        tokens = rt
        curve_sol = tokens * x // (y - tokens) + 1
    if tokens < min_tokens_out:
        raise Reject("BuySlippageBelowMinTokensOut")
    pf, cf = fees(curve_sol, profile, creator)
    total = curve_sol + pf + cf
    assert total <= spendable
    return tokens, curve_sol, pf, cf, total


def sell(st, amount, min_sol_output, profile, creator):
    """Rule 3: sell(amount, min_sol_output); fee deducted from t*X/(Y+t)."""
    x, y, rs, rt, complete = st
    if complete:
        raise Reject("BondingCurveComplete")
    curve_sol = amount * x // (y + amount)
    if curve_sol > rs:
        raise Reject("NotEnoughTokensToSell")
    pf, cf = fees(curve_sol, profile, creator)
    if pf + cf > curve_sol:
        raise Reject("Overflow")
    received = curve_sol - pf - cf
    if received < min_sol_output:
        raise Reject("TooLittleSolReceived")
    return amount, curve_sol, pf, cf, received


def apply(st, side, tokens, curve_sol):
    x, y, rs, rt, complete = st
    if side == "buy":
        nst = [x + curve_sol, y - tokens, rs + curve_sol, rt - tokens, rt - tokens == 0]
    else:
        nst = [x - curve_sol, y + tokens, rs - curve_sol, rt + tokens, complete]
    assert nst[0] * nst[1] >= x * y, "X*Y must never decrease"
    assert nst[0] - nst[2] == INITIAL_VIRTUAL_SOL and nst[1] - nst[3] == 279_900_000_000_000
    return nst


def run_op(st, op, profile, creator, partial):
    kind = op["op"]
    try:
        if kind == "buy_sol":
            r = buy_sol(st, op["spendable"], op["min_tokens_out"], profile, creator, partial)
            side = "buy"
        elif kind == "buy_tokens":
            r = buy_tokens(st, op["tokens"], op["max_sol_cost"], profile, creator, partial)
            side = "buy"
        else:
            r = sell(st, op["tokens"], op["min_sol_out"], profile, creator)
            side = "sell"
    except Reject as e:
        op["expect"] = {"error": str(e)}
        return st
    tokens, curve_sol, pf, cf, total = r
    nst = apply(st, side, tokens, curve_sol)
    op["expect"] = {"tokens": tokens, "curve_sol": curve_sol, "protocol_fee": pf, "creator_fee": cf,
                    "sol_total": total, "state_after": nst}
    return nst


def case(name, profile, creator, partial, ops, start=None):
    st = list(start) if start else fresh()
    out_ops = []
    holdings = 0
    for op in ops:
        if op["op"] == "sell" and op.get("tokens") == "ALL":
            op = dict(op, tokens=holdings)
        st_before = st
        st = run_op(st, op, profile, creator, partial)
        if st is not st_before and "error" not in op["expect"]:
            holdings += op["expect"]["tokens"] if op["op"] != "sell" else -op["expect"]["tokens"]
        out_ops.append(op)
    return {"name": name, "profile": profile, "creator": creator, "partial_fill": partial,
            "start": list(start) if start else fresh(), "ops": out_ops}


def main():
    rng = random.Random(20261125)
    cases = []
    big = 10**18
    for profile in PROFILES:
        for creator in (True, False):
            tag = f"{profile}-{'creator' if creator else 'nocreator'}"
            # 1-lamport and tiny buys: BuyZeroAmount, and the smallest buys that get tokens.
            cases.append(case(f"{tag}-tiny-buys", profile, creator, True, [
                {"op": "buy_sol", "spendable": s, "min_tokens_out": 0} for s in (0, 1, 2, 3, 4, 5, 100, 1_000)
            ] + [{"op": "buy_tokens", "tokens": t, "max_sol_cost": big} for t in (0, 1, 2, 35, 36, 1_000)]))
            # Round trip: buy then sell everything bought; must return less than paid.
            cases.append(case(f"{tag}-round-trip", profile, creator, True, [
                {"op": "buy_sol", "spendable": 1_500_000_000, "min_tokens_out": 0},
                {"op": "sell", "tokens": "ALL", "min_sol_out": 0},
            ]))
            # The completing trade and buys beyond the remaining supply, capped.
            cases.append(case(f"{tag}-complete-capped", profile, creator, True, [
                {"op": "buy_sol", "spendable": 50_000_000_000, "min_tokens_out": 0},
                {"op": "buy_tokens", "tokens": 600_000_000_000_000, "max_sol_cost": big},
                {"op": "buy_sol", "spendable": 1_000_000_000, "min_tokens_out": 0},
                {"op": "sell", "tokens": 1_000_000, "min_sol_out": 0},
            ]))
            cases.append(case(f"{tag}-complete-by-sol", profile, creator, True, [
                {"op": "buy_sol", "spendable": 200_000_000_000, "min_tokens_out": 0},
                {"op": "buy_sol", "spendable": 1_000_000_000, "min_tokens_out": 0},
            ]))
            # Partial fill off: NotEnoughTokensToBuy, then the exact remainder completes.
            cases.append(case(f"{tag}-no-partial-fill", profile, creator, False, [
                {"op": "buy_tokens", "tokens": 793_100_000_000_001, "max_sol_cost": big},
                {"op": "buy_sol", "spendable": 200_000_000_000, "min_tokens_out": 0},
                {"op": "buy_tokens", "tokens": 793_100_000_000_000, "max_sol_cost": big},
                {"op": "sell", "tokens": 5_000_000, "min_sol_out": 0},
            ]))
            # Slippage limits, at and just past the boundary.
            probe = fresh()
            t, cs, pf, cf, total = buy_tokens(probe, 10_000_000_000, big, profile, creator, True)
            tok, _, _, _, _ = buy_sol(probe, 2_000_000_000, 0, profile, creator, True)
            cases.append(case(f"{tag}-slippage", profile, creator, True, [
                {"op": "buy_tokens", "tokens": 10_000_000_000, "max_sol_cost": total - 1},
                {"op": "buy_tokens", "tokens": 10_000_000_000, "max_sol_cost": total},
                {"op": "sell", "tokens": 10_000_000_000, "min_sol_out": 10**12},
                {"op": "buy_sol", "spendable": 2_000_000_000, "min_tokens_out": tok * 10},
            ]))
            # Tiny sells after a buy (0-lamport outputs, fee rounding edge).
            cases.append(case(f"{tag}-tiny-sells", profile, creator, True, [
                {"op": "buy_sol", "spendable": 100_000_000, "min_tokens_out": 0}]
                + [{"op": "sell", "tokens": t, "min_sol_out": 0} for t in (0, 1, 35, 36, 37, 72, 1_000, 40_000, 70_000, 100_000)]))
            # A random walk of mixed trades.
            ops = []
            for _ in range(300):
                r = rng.random()
                if r < 0.45:
                    ops.append({"op": "buy_sol", "spendable": rng.choice([rng.randrange(1, 10**7), rng.randrange(1, 5 * 10**8), rng.randrange(1, 2 * 10**9)]), "min_tokens_out": 0})
                elif r < 0.7:
                    ops.append({"op": "buy_tokens", "tokens": rng.randrange(1, 5 * 10**12), "max_sol_cost": big})
                else:
                    ops.append({"op": "sell", "tokens": rng.randrange(1, 4 * 10**12), "min_sol_out": 0})
            cases.append(case(f"{tag}-random-walk", profile, creator, True, ops))
    out = {
        "generator": "Tests/CurvesTests/Vectors/gen_curve_vectors.py",
        "source": "shared/REFERENCE.md Part 1",
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pumpfun_vectors.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    nops = sum(len(c["ops"]) for c in cases)
    errors = sum(1 for c in cases for o in c["ops"] if "error" in o["expect"])
    print(f"wrote {path}: {len(cases)} cases, {nops} operations ({errors} rejections)")


if __name__ == "__main__":
    main()

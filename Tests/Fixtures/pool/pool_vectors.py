#!/usr/bin/env python3
"""
Independent reference-vector generator for PumpSwap (pump.fun's constant-product
AMM after graduation). Prints one JSON document to stdout:

    python3 pool_vectors.py > vectors.json

Written from /work/shared/REFERENCE.md, Part 3 section 1 (1a-1d) only; it does not
read or share code with the Swift sources. Every amount is a Python int (no floats
anywhere); all divisions are floor (//) or explicit ceil.

Sources for each formula (as cited by REFERENCE.md):

  Migration (REFERENCE 1a/1b)
    - tokens left after completion: 1e15 - 793.1e12 = 206_900_000_000_000
      (pump-public-docs docs/PUMP_PROGRAM_README.md Global JSON + observed
      CreatePoolEvent 2025-06-25).
    - real SOL at completion ~ 85_005_359_057 lamports: arithmetic on the Global
      constants, vSol_end = 30e9 * 1073e12 / 279.9e12 (REFERENCE 1a, [D]).
    - pool_migration_fee = 15_000_001 lamports (docs/PUMP_PROGRAM_README.md);
      still charged as of the 01 Sep 2025 fee page (solana.pump.fun/docs/fees).
    - quote_in = real_sol - pool_migration_fee; base_in = 206.9e12.
    - initial_liquidity = isqrt(base_in * quote_in); minimum_liquidity = 100 stays
      locked; lp_out = initial - 100 (observed CreatePoolEvent; REFERENCE's check
      isqrt(206.9e12 * 84990359094) = 4193388283542, asserted below).

  Pool math (REFERENCE 1c, per @pump-fun/pump-swap-sdk)
    - fee(x, bps) = ceil(x * bps / 10000), ceilDiv(a, b) = (a + b - 1) // b
      (SDK src/sdk/util.ts).
    - buy, base out (buyBaseInputInternal, SDK buy.ts):
        raw_quote = ceil(Q * base / (B - base)); lp/protocol/creator fees each
        fee(raw_quote, bps); user pays raw + lp + protocol + creator.
    - buy, quote in (buyQuoteInputInternal, SDK buy.ts):
        effQuote = floor(quote * 10000 / (10000 + totalBps));
        base_out = floor(B * effQuote / (Q + effQuote)).
    - sell, base in (sellBaseInputInternal, SDK sell.ts):
        raw_quote = floor(Q * base / (B + base)); fees fee(raw_quote, bps) each;
        user receives raw - fees.
    - Where fees go: LP fee stays in the pool quote vault; protocol and creator
      fees leave the pool (REFERENCE 1c, inferred from BuyEvent/SellEvent field
      names in idl/pump_amm.json, marked [M/inferred]).
    - Market cap for tier selection: quoteReserve * baseMintSupply / baseReserve
      in lamports (docs/FEE_PROGRAM_README.md); baseMintSupply = 1e15.

  Fee eras / tiers (REFERENCE 1d)
    - PumpSwap canonical-pool tiers after Sep 1 2025 20:00 UTC (Project Ascend,
      "Dynamic Fees V1"): table from pump-public-docs docs/fees.png, same table at
      solana.pump.fun/docs/fees. Every tier from 420 SOL up: protocol 0.05% and
      LP 0.20%.
    - Tier lookup (docs/FEE_PROGRAM_README.md, calculateFeeTier): below the first
      threshold use tier 0; otherwise the highest tier whose threshold <= mcap.
      Thresholds are u128 lamports.
    - GlobalConfig fallback (only when no fee_config): lp 20 / protocol 5 /
      coin_creator 5 bps (May 12 2025 era values, REFERENCE 1d).

Ambiguities in REFERENCE and how they are decided here (also emitted in
"notes" in the JSON):

  A1. "Newer ports also subtract 1 from effQuote before the curve step" (1c,
      third-party). NOT applied: effQuote is exactly
      floor(quote*10000/(10000+totalBps)) as in the SDK's buyQuoteInputInternal.
  A2. Fractional creator bps. The tier table gives creator 0.275%, 0.225%,
      0.175%, 0.125% and 0.075% (tiers at 54030, 63860, 73681, 83500, 93330 SOL),
      i.e. 27.5 / 22.5 / 17.5 / 12.5 / 7.5 bps, which are not whole bps (the
      on-chain fee_config stores integer bps, so the table is probably rounded
      or the on-chain values differ; not checked). These tiers are listed with
      creator_bps = null, creator_bps_x10 (tenths of a bps, exact) and the
      percentage string as given, and flagged "fractional_creator_bps": true.
      No swap vector uses them; tier_for() still selects them, and any lookup
      landing in one reports creator_bps = null.
  A3. The table's totals are rounded to 2 decimals of a percent (0.53 for
      0.275+0.05+0.20 = 0.525, 0.48 for 0.475, ...). Totals here are computed
      as creator+protocol+lp; the given totals are kept as strings and checked
      to agree within rounding.
  A4. Thresholds are given in whole SOL (read from an image); they are encoded
      as SOL * 1e9 lamports exactly. Tier 0's threshold is 0 (the table says
      "0-420 SOL"), so "below the first threshold" can only arise if the first
      threshold were > 0; tier_for() still implements the rule.
  A5. Real SOL at completion: REFERENCE gives ~85,005,359,057 (ideal value
      115,005,359,056.8... - 30e9, rounded up). The observed CreatePoolEvent has
      quote 84,990,359,094, i.e. real SOL 85,005,359,095 (actual buys round up
      per trade). Both are included; 85,005,359,057 matches the fixture
      CompletePumpAmmMigrationEvent sol_amount 84,990,359,056.
  A6. buy_quote_in: fees are ceil'ed per component on effQuote, so
      user_quote_paid = effQuote + lp + protocol + creator can exceed quote_in by
      up to 2 lamports (each ceil adds < 1). Reported as is, with
      "paid_exceeds_quote_in": true (see the tiny-amount vectors).
  A7. sell_base_in: if lp+protocol+creator > raw_quote (tiny sells), the user
      amount would be negative; reported as error "fees exceed quote output"
      (an on-chain u64 checked_sub would fail) instead of a negative number.
  A8. buy_base_out with base_out >= base_reserve: error "insufficient
      liquidity" (division by zero / negative denominator otherwise).
  A8b. buy_base_out whose quote cost (or new quote reserve) exceeds u64 (e.g.
      base_out = base_reserve - 1) -> error "overflow": token amounts are u64
      on-chain, so such a buy cannot be expressed. Intermediate products
      (Q*base, B*effQuote) need 128-bit arithmetic; every emitted number fits u64.
  A9. Creator fee is 0 when coin_creator == Pubkey::default(); canonical pools
      from migration have a creator, so creator_bps is always charged here.
  A10. Which fees a swap uses after Sep 1 2025: the tier of the pool's market cap
      *before* the swap (pre-trade reserves). REFERENCE does not say pre/post;
      the SDK computes fees from the pool state it is given, i.e. pre-trade.
"""

import json
import math
import sys

# ---------------------------------------------------------------- constants ---
TOKEN_TOTAL_SUPPLY = 1_000_000_000_000_000          # 1e15, 6 decimals (1a)
INITIAL_REAL_TOKEN_RESERVES = 793_100_000_000_000   # 793.1e12 (1a)
INITIAL_VIRTUAL_TOKEN_RESERVES = 1_073_000_000_000_000
INITIAL_VIRTUAL_SOL_RESERVES = 30_000_000_000
BASE_IN_AT_MIGRATION = TOKEN_TOTAL_SUPPLY - INITIAL_REAL_TOKEN_RESERVES
POOL_MIGRATION_FEE = 15_000_001                     # lamports (1b)
MINIMUM_LIQUIDITY = 100                             # locked LP (1b)
BASE_MINT_SUPPLY = 1_000_000_000_000_000            # for market cap (1c)
BPS_DENOM = 10_000
U64_MAX = 2**64 - 1
LAMPORTS_PER_SOL = 1_000_000_000

GLOBAL_CONFIG_FALLBACK = {"lp_bps": 20, "protocol_bps": 5, "creator_bps": 5}

assert BASE_IN_AT_MIGRATION == 206_900_000_000_000


def ceil_div(a, b):
    assert a >= 0 and b > 0
    return (a + b - 1) // b


def fee(x, bps):
    """fee(x, bps) = ceil(x*bps/10000) (SDK util.ts)."""
    return ceil_div(x * bps, BPS_DENOM)


# ---------------------------------------------------------------- migration ---
def ideal_real_sol_at_completion():
    vtok_end = INITIAL_VIRTUAL_TOKEN_RESERVES - INITIAL_REAL_TOKEN_RESERVES  # 279.9e12
    num = INITIAL_VIRTUAL_SOL_RESERVES * INITIAL_VIRTUAL_TOKEN_RESERVES
    vsol_end_ceil = ceil_div(num, vtok_end)
    return vsol_end_ceil - INITIAL_VIRTUAL_SOL_RESERVES


def migrate(real_sol):
    base_in = BASE_IN_AT_MIGRATION
    quote_in = real_sol - POOL_MIGRATION_FEE
    assert quote_in > 0
    initial = math.isqrt(base_in * quote_in)
    return {
        "real_sol": real_sol,
        "pool_migration_fee": POOL_MIGRATION_FEE,
        "base_in": base_in,
        "quote_in": quote_in,
        "initial_liquidity": initial,
        "lp_locked": MINIMUM_LIQUIDITY,
        "lp_out": initial - MINIMUM_LIQUIDITY,
    }


# REFERENCE's observed CreatePoolEvent check.
assert math.isqrt(206_900_000_000_000 * 84_990_359_094) == 4_193_388_283_542
assert ideal_real_sol_at_completion() == 85_005_359_057

GRADUATION_REAL_SOL = 85_005_359_057
OBSERVED_EVENT_REAL_SOL = 84_990_359_094 + POOL_MIGRATION_FEE  # 85_005_359_095
assert migrate(OBSERVED_EVENT_REAL_SOL)["initial_liquidity"] == 4_193_388_283_542
assert migrate(GRADUATION_REAL_SOL)["quote_in"] == 84_990_359_056  # fixture event

# ---------------------------------------------------------------- fee tiers ---
# (threshold SOL, creator % as given, protocol % as given, lp % as given,
#  total % as given in the table)
_TIER_TABLE = [
    (0,     "0.300", "0.930", "0.020", "1.25"),
    (420,   "0.95",  "0.05",  "0.20",  "1.20"),
    (1470,  "0.90",  "0.05",  "0.20",  "1.15"),
    (2460,  "0.85",  "0.05",  "0.20",  "1.10"),
    (3440,  "0.80",  "0.05",  "0.20",  "1.05"),
    (4420,  "0.75",  "0.05",  "0.20",  "1.00"),
    (9820,  "0.70",  "0.05",  "0.20",  "0.95"),
    (14740, "0.65",  "0.05",  "0.20",  "0.90"),
    (19650, "0.60",  "0.05",  "0.20",  "0.85"),
    (24560, "0.55",  "0.05",  "0.20",  "0.80"),
    (29470, "0.50",  "0.05",  "0.20",  "0.75"),
    (34380, "0.45",  "0.05",  "0.20",  "0.70"),
    (39300, "0.40",  "0.05",  "0.20",  "0.65"),
    (44210, "0.35",  "0.05",  "0.20",  "0.60"),
    (49120, "0.30",  "0.05",  "0.20",  "0.55"),
    (54030, "0.275", "0.05",  "0.20",  "0.53"),
    (58940, "0.25",  "0.05",  "0.20",  "0.50"),
    (63860, "0.225", "0.05",  "0.20",  "0.48"),
    (68770, "0.20",  "0.05",  "0.20",  "0.45"),
    (73681, "0.175", "0.05",  "0.20",  "0.43"),
    (78590, "0.15",  "0.05",  "0.20",  "0.40"),
    (83500, "0.125", "0.05",  "0.20",  "0.38"),
    (88400, "0.10",  "0.05",  "0.20",  "0.35"),
    (93330, "0.075", "0.05",  "0.20",  "0.33"),
    (98240, "0.05",  "0.05",  "0.20",  "0.30"),
]


def pct_to_bps_x10(pct):
    """Exact decimal-string percent -> tenths of a bps (int). 1% = 100 bps."""
    whole, _, frac = pct.partition(".")
    frac = (frac + "000")[:3]            # thousandths of a percent
    assert len(pct.partition(".")[2]) <= 3, pct
    thousandths = int(whole) * 1000 + int(frac)   # 1 thousandth % = 0.1 bps
    return thousandths


def _build_tiers():
    tiers = []
    for i, (sol, c, p, l, tot) in enumerate(_TIER_TABLE):
        c10, p10, l10 = pct_to_bps_x10(c), pct_to_bps_x10(p), pct_to_bps_x10(l)
        total10 = c10 + p10 + l10
        # given totals are rounded to 0.01% = 1 bps = 10 tenths
        assert abs(total10 - pct_to_bps_x10(tot)) <= 5, (sol, total10, tot)
        frac = c10 % 10 != 0
        assert p10 % 10 == 0 and l10 % 10 == 0
        if i > 0:
            assert (p10, l10) == (50, 200)
        tiers.append({
            "index": i,
            "threshold_sol": sol,
            "threshold_lamports": sol * LAMPORTS_PER_SOL,
            "creator_pct_as_given": c,
            "protocol_pct_as_given": p,
            "lp_pct_as_given": l,
            "total_pct_as_given": tot,
            "creator_bps": None if frac else c10 // 10,
            "protocol_bps": p10 // 10,
            "lp_bps": l10 // 10,
            "creator_bps_x10": c10,
            "protocol_bps_x10": p10,
            "lp_bps_x10": l10,
            "total_bps_x10": total10,
            "total_bps": None if total10 % 10 else total10 // 10,
            "fractional_creator_bps": frac,
        })
    # thresholds strictly increasing
    for a, b in zip(tiers, tiers[1:]):
        assert a["threshold_lamports"] < b["threshold_lamports"]
    return tiers


TIERS = _build_tiers()
assert (TIERS[0]["creator_bps"], TIERS[0]["protocol_bps"], TIERS[0]["lp_bps"]) == (30, 93, 2)
assert TIERS[0]["total_bps"] == 125
assert [t["threshold_sol"] for t in TIERS if t["fractional_creator_bps"]] == \
    [54030, 63860, 73681, 83500, 93330]


def tier_for(mcap_lamports):
    """Below the first threshold -> tier 0; else the highest tier whose
    threshold <= mcap (docs/FEE_PROGRAM_README.md calculateFeeTier)."""
    for t in reversed(TIERS):
        if mcap_lamports >= t["threshold_lamports"]:
            return t
    return TIERS[0]


def market_cap(base_reserve, quote_reserve, base_mint_supply=BASE_MINT_SUPPLY):
    assert base_reserve > 0
    return quote_reserve * base_mint_supply // base_reserve


def fee_lookup(mcap):
    t = tier_for(mcap)
    return {
        "mcap_lamports": mcap,
        "tier_index": t["index"],
        "creator_bps": t["creator_bps"],
        "protocol_bps": t["protocol_bps"],
        "lp_bps": t["lp_bps"],
        "creator_bps_x10": t["creator_bps_x10"],
        "fractional_creator_bps": t["fractional_creator_bps"],
    }


def build_lookups():
    out = []
    chosen = TIERS[:5] + [TIERS[-1]]   # thresholds 0 (tier 0), 420, 1470, 2460, 3440 and the last
    for t in chosen:
        th = t["threshold_lamports"]
        for m in (th - 1, th, th + 1):
            if m >= 0:
                out.append(fee_lookup(m))
    # a few extra points: migration-time mcap, huge mcap, mid-tier
    out.append(fee_lookup(market_cap(BASE_IN_AT_MIGRATION, GRADUATION_REAL_SOL - POOL_MIGRATION_FEE)))
    out.append(fee_lookup(1000 * LAMPORTS_PER_SOL))
    out.append(fee_lookup(55_000 * LAMPORTS_PER_SOL))   # lands in a fractional tier
    out.append(fee_lookup(2**64 - 1))                   # u64 max (thresholds are u128; kept <= u64 for decoders)
    return out


# ---------------------------------------------------------------- swap math ---
def buy_quote_in(B, Q, lp, pr, cr, quote):
    total = lp + pr + cr
    eff = quote * BPS_DENOM // (BPS_DENOM + total)      # no "-1" (A1)
    base_out = B * eff // (Q + eff)
    lp_fee, pr_fee, cr_fee = fee(eff, lp), fee(eff, pr), fee(eff, cr)
    paid = eff + lp_fee + pr_fee + cr_fee
    return {
        "eff_quote": eff,
        "base_out": base_out,
        "lp_fee": lp_fee,
        "protocol_fee": pr_fee,
        "creator_fee": cr_fee,
        "user_quote_paid": paid,
        "paid_exceeds_quote_in": paid > quote,
        "new_base_reserve": B - base_out,
        "new_quote_reserve": Q + eff + lp_fee,
    }


def buy_base_out(B, Q, lp, pr, cr, base):
    if base >= B:
        return {"error": "insufficient liquidity"}
    raw = ceil_div(Q * base, B - base)
    lp_fee, pr_fee, cr_fee = fee(raw, lp), fee(raw, pr), fee(raw, cr)
    paid = raw + lp_fee + pr_fee + cr_fee
    if paid > U64_MAX or Q + raw + lp_fee > U64_MAX:
        return {"error": "overflow", "raw_quote_exceeds_u64": raw > U64_MAX}
    return {
        "raw_quote": raw,
        "lp_fee": lp_fee,
        "protocol_fee": pr_fee,
        "creator_fee": cr_fee,
        "user_quote_paid": paid,
        "new_base_reserve": B - base,
        "new_quote_reserve": Q + raw + lp_fee,
    }


def sell_base_in(B, Q, lp, pr, cr, base):
    raw = Q * base // (B + base)
    lp_fee, pr_fee, cr_fee = fee(raw, lp), fee(raw, pr), fee(raw, cr)
    received = raw - lp_fee - pr_fee - cr_fee
    if received < 0:
        return {"error": "fees exceed quote output", "raw_quote": raw,
                "lp_fee": lp_fee, "protocol_fee": pr_fee, "creator_fee": cr_fee}
    return {
        "raw_quote": raw,
        "lp_fee": lp_fee,
        "protocol_fee": pr_fee,
        "creator_fee": cr_fee,
        "user_quote_received": received,
        "new_base_reserve": B + base,
        "new_quote_reserve": Q - raw + lp_fee,
    }


SOL = LAMPORTS_PER_SOL
TOK = 1_000_000   # 6 decimals

POOL_STATES = [
    ("after_migration_85005359057", BASE_IN_AT_MIGRATION, GRADUATION_REAL_SOL - POOL_MIGRATION_FEE),
    ("observed_create_pool_event", BASE_IN_AT_MIGRATION, 84_990_359_094),
    ("mcap_1000_sol", 150_000_000 * TOK, 150 * SOL),
    ("mcap_4000_sol", 50_000_000 * TOK, 200 * SOL),
    ("mcap_100000_sol", 10_000_000 * TOK, 1000 * SOL),
]

QUOTE_AMOUNTS = [1, 2, 100, 1 * SOL, 10 * SOL, 50 * SOL, 10_000 * SOL]
BASE_AMOUNTS_BUY = [1, 1000 * TOK, 10_000_000 * TOK, 100_000_000 * TOK]
BASE_AMOUNTS_SELL = [1, 2500, 1000 * TOK, 10_000_000 * TOK, 100_000_000 * TOK, 10**18]


def build_swaps():
    vectors = []
    for name, B, Q in POOL_STATES:
        mcap = market_cap(B, Q)
        t = tier_for(mcap)
        assert not t["fractional_creator_bps"], name
        fee_sets = [
            ("fee_tier", t["index"], t["lp_bps"], t["protocol_bps"], t["creator_bps"]),
            ("global_config_fallback", None, GLOBAL_CONFIG_FALLBACK["lp_bps"],
             GLOBAL_CONFIG_FALLBACK["protocol_bps"], GLOBAL_CONFIG_FALLBACK["creator_bps"]),
        ]
        edge_base_out = [B * 99 // 100, B - 1, B, B + 1]
        buy_amounts = list(dict.fromkeys(BASE_AMOUNTS_BUY + edge_base_out))  # dedupe, keep order
        for src, tidx, lp, pr, cr in fee_sets:
            ops = ([("buy_quote_in", a) for a in QUOTE_AMOUNTS]
                   + [("buy_base_out", a) for a in buy_amounts]
                   + [("sell_base_in", a) for a in BASE_AMOUNTS_SELL])
            for op, amt in ops:
                fn = {"buy_quote_in": buy_quote_in, "buy_base_out": buy_base_out,
                      "sell_base_in": sell_base_in}[op]
                v = {
                    "op": op,
                    "pool": name,
                    "base_reserve": B,
                    "quote_reserve": Q,
                    "market_cap_lamports": mcap,
                    "fee_source": src,
                    "tier_index": tidx,
                    "lp_bps": lp,
                    "protocol_bps": pr,
                    "creator_bps": cr,
                    "amount": amt,
                }
                v.update(fn(B, Q, lp, pr, cr, amt))
                vectors.append(v)
    return vectors


# ---------------------------------------------------------------- self-checks -
def _self_check(swaps):
    for v in swaps:
        if "error" in v:
            continue
        B, Q = v["base_reserve"], v["quote_reserve"]
        if v["op"] in ("buy_quote_in", "buy_base_out"):
            # constant product never decreases
            assert v["new_base_reserve"] * v["new_quote_reserve"] >= B * Q, v
        if v["op"] == "buy_quote_in":
            e = v["eff_quote"]
            tot = v["lp_bps"] + v["protocol_bps"] + v["creator_bps"]
            assert e * (BPS_DENOM + tot) <= v["amount"] * BPS_DENOM
            assert v["user_quote_paid"] <= v["amount"] + 2
        if v["op"] == "sell_base_in":
            assert v["new_quote_reserve"] > 0


def _all_ints_fit_u64(obj):
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return True
    if isinstance(obj, int):
        return 0 <= obj < 2**64
    if isinstance(obj, dict):
        return all(_all_ints_fit_u64(v) for v in obj.values())
    if isinstance(obj, list):
        return all(_all_ints_fit_u64(v) for v in obj)
    raise TypeError(type(obj))   # no floats anywhere


def _notes():
    return [
        "A1: effQuote = floor(quote*10000/(10000+totalBps)); the third-party 'newer ports subtract 1 from effQuote' variant is NOT applied.",
        "A2: tiers at 54030, 63860, 73681, 83500, 93330 SOL have creator 0.275/0.225/0.175/0.125/0.075 % = 27.5/22.5/17.5/12.5/7.5 bps, not whole bps; listed with creator_bps=null, exact creator_bps_x10 (tenths of bps), the percentage as given, fractional_creator_bps=true. No swap vector uses them.",
        "A3: table totals are rounded to 0.01%; total_bps_x10 is computed as the sum of components, total_pct_as_given kept as a string.",
        "A4: thresholds are whole SOL from the fees.png table, encoded as SOL*1e9 lamports; tier 0 threshold is 0.",
        "A5: real SOL at completion 85005359057 = ceil(30e9*1073e12/279.9e12) - 30e9 (REFERENCE 1a, [D]); the observed CreatePoolEvent implies 85005359095 (quote 84990359094). Both included.",
        "A6: buy_quote_in fees are ceil'ed per component on effQuote, so user_quote_paid may exceed quote_in by up to 2 lamports; flagged paid_exceeds_quote_in.",
        "A7: sell_base_in where fees exceed raw_quote -> error 'fees exceed quote output' instead of a negative amount.",
        "A8: buy_base_out with base_out >= base_reserve -> error 'insufficient liquidity'.",
        "A8b: buy_base_out whose quote cost or new quote reserve exceeds u64 (base_out = base_reserve - 1) -> error 'overflow'. Intermediate products need 128-bit; every emitted integer fits u64.",
        "A9: creator fee always charged (canonical pools have a coin_creator; it is 0 only for Pubkey::default()).",
        "A10: tier chosen from the market cap of the pre-trade reserves.",
        "New reserves: buys add effQuote/raw + lp_fee to the quote reserve, sells remove raw - lp_fee; protocol and creator fees leave the pool (REFERENCE 1c, inferred).",
    ]


def main():
    migration_inputs = [GRADUATION_REAL_SOL, OBSERVED_EVENT_REAL_SOL,
                        85_000_000_000, 90_000_000_000, 100_000_000_001]
    migration = [migrate(r) for r in migration_inputs]
    lookups = build_lookups()
    swaps = build_swaps()
    _self_check(swaps)
    doc = {
        "source": "Tests/Fixtures/pool/pool_vectors.py (from /work/shared/REFERENCE.md Part 3 s.1a-1d)",
        "constants": {
            "token_total_supply": TOKEN_TOTAL_SUPPLY,
            "base_in_at_migration": BASE_IN_AT_MIGRATION,
            "pool_migration_fee": POOL_MIGRATION_FEE,
            "minimum_liquidity": MINIMUM_LIQUIDITY,
            "base_mint_supply": BASE_MINT_SUPPLY,
            "bps_denominator": BPS_DENOM,
            "global_config_fallback": GLOBAL_CONFIG_FALLBACK,
            "graduation_real_sol": GRADUATION_REAL_SOL,
        },
        "notes": _notes(),
        "migration": migration,
        "fee_tiers": {"tiers": TIERS, "lookups": lookups},
        "swaps": swaps,
    }
    # every emitted integer fits u64 (intermediate products need 128-bit)
    assert _all_ints_fit_u64(doc)
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

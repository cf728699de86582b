#!/usr/bin/env python3
"""The table of DetMath.tableExp: 2^(j/64) for j = 0..63, correctly rounded to doubles.

Computed with Python's decimal module at 60 digits (exp of j/64 * ln 2), then rounded once to the
nearest double (float(Decimal) rounds correctly); printed as Swift hexadecimal float literals for
Sources/SimCore/DetMath.swift. Run: python3 Tests/SimCoreTests/Vectors/gen_exp2_table.py
"""
from decimal import Decimal, getcontext

getcontext().prec = 60
LN2 = Decimal(2).ln()

for j in range(64):
    print(f"        {float((Decimal(j) / 64 * LN2).exp()).hex()},  // 2^({j}/64)")

#!/usr/bin/env python3
"""BN254 scalar-field vectors from Python's integers: products, squares, fifth powers (of values below p and of unreduced sums below 2p), and sums of
1 to 13 products (Poseidon's widest row), to check Fr's lazy reduction (FrWide) at the bounds it
relies on: operands of p - 1, p - 2, 2^253 and random ones.

    python3 Tests/MerkleTests/Vectors/gen_field_vectors.py
"""
import json
import os
import random

P = 0x30644E72E131A029B85045B68181585D2833E84879B9709143E1F593F0000001


def main():
    rng = random.Random(20261207)
    edges = [0, 1, 2, P - 1, P - 2, 2**253, 2**252 + 12345, (1 << 64) - 1, (1 << 192) + 1]
    values = edges + [rng.randrange(P) for _ in range(40)]
    single = []
    for a in values:
        b = rng.choice(values)
        single.append({"a": "%064x" % a, "b": "%064x" % b, "product": "%064x" % (a * b % P),
                       "square": "%064x" % (a * a % P), "pow5": "%064x" % pow(a, 5, P),
                       "sum_pow5": "%064x" % pow(a + b, 5, P)})
    sums = []
    for k in range(1, 14):
        for kind in ("max", "random"):
            if kind == "max":
                a = [P - 1] * k
                b = [P - 1 - (i % 2) for i in range(k)]
            else:
                a = [rng.randrange(P) for _ in range(k)]
                b = [rng.randrange(P) for _ in range(k)]
            total = sum(x * y for x, y in zip(a, b)) % P
            sums.append({"a": ["%064x" % x for x in a], "b": ["%064x" % y for y in b], "sum": "%064x" % total})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "field_vectors.json")
    with open(path, "w") as f:
        json.dump({"generator": "Tests/MerkleTests/Vectors/gen_field_vectors.py", "single": single, "sums": sums}, f, indent=1)
        f.write("\n")
    print("wrote", path, len(single), "single cases,", len(sums), "sums")


if __name__ == "__main__":
    main()

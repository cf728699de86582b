#!/usr/bin/env python3
"""Writes Sources/Merkle/PoseidonConstants.swift from light-poseidon's published parameters,
precomputed for the optimised permutation and in Montgomery form (no parsing at run time).

Input: light-poseidon's src/parameters/bn254_x5.rs (Lightprotocol/light-poseidon, the circom
parameters from the Grain script), given as the first argument. Each constant there is a
canonical field element as four little-endian u64 limbs.

    python3 Tests/MerkleTests/Vectors/gen_poseidon_constants.py path/to/bn254_x5.rs

The plain permutation (what Light computes): state [0, in1..inn], R_F = 8 full rounds (4 + 4)
around R_P partial ones; each round adds its constants, applies x^5 (to every element in a full
round, to element 0 in a partial one), then multiplies by the MDS matrix M. The optimised form
(Poseidon paper, appendix B) computes the same function with far fewer multiplications:

1. Constants. In a partial round the constants of elements 1..t-1 pass the S-box untouched, so
   S(x + c) = S(x + c0 e0) + c_rest and M S(x + c) = M S(x + c0 e0) + M c_rest: M c_rest is
   added to the next round's constants. Pushed forward round by round, each partial round keeps
   one scalar constant and the first full round after them takes the rest.
2. Matrices. Split M' = B A, A = diag(1, M'11) and B = [[m'00, m'01 M'11^-1], [m'10, I]] (sparse:
   2t - 1 multiplications). A leaves element 0 alone, so it commutes with the partial S-box and
   the scalar constant and moves to the previous round: M'_last = M, M'_(r-1) = A_r M. The A of
   the first partial round lands on the full round before them, whose matrix becomes P = A M.

The script checks the optimised form against the plain one on random inputs for every width and
against Light's vectors (poseidon_vectors.json) before it writes anything.

Table layout per width t (field elements, 4 little-endian u64 limbs each, value * 2^256 mod p):
  round constants 8t + R_P: 4 x t (rounds 0-3), R_P scalars, 4 x t (rounds after the partials);
  M (t x t, row-major); P (t x t, row-major); R_P sparse matrices of 2t - 1: [m'00, w1.., v1..].
"""
import json
import os
import random
import re
import sys

P = 0x30644E72E131A029B85045B68181585D2833E84879B9709143E1F593F0000001
R = 1 << 256


def element(m):
    return sum(int(x) << (64 * i) for i, x in enumerate(m))


def parse(path):
    text = open(path).read()
    partial = [int(x) for x in re.search(r"PARTIAL_ROUNDS: \[usize; 15\] =\s*\[([^\]]*)\]", text).group(1).replace(",", " ").split()]
    big = re.compile(r"BigInteger256::new\(\[\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+),?\s*\]\)")
    widths = {}
    for m in re.finditer(r"else if (\d+) == t \{(.*?)PARTIAL_ROUNDS\[(\d+)\]", text, re.S):
        t = int(m.group(1))
        ark_part, mds_part = m.group(2).split("let mds = vec![", 1)
        ark = [element(x) for x in big.findall(ark_part)]
        mds = [element(x) for x in big.findall(mds_part)]
        rp = partial[t - 2]
        assert len(ark) == t * (8 + rp), (t, len(ark))
        assert len(mds) == t * t, (t, len(mds))
        assert all(v < P for v in ark + mds)
        widths[t] = (rp, [ark[r * t:(r + 1) * t] for r in range(8 + rp)], [mds[i * t:(i + 1) * t] for i in range(t)])
    assert sorted(widths) == list(range(2, 14)), sorted(widths)
    return widths


def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) % P for j in range(len(b[0]))] for i in range(len(a))]


def matvec(m, v):
    return [sum(m[i][j] * v[j] for j in range(len(v))) % P for i in range(len(m))]


def inverse(m):
    n = len(m)
    a = [row[:] + [1 if i == j else 0 for j in range(n)] for i, row in enumerate(m)]
    for c in range(n):
        piv = next(r for r in range(c, n) if a[r][c])
        a[c], a[piv] = a[piv], a[c]
        inv = pow(a[c][c], -1, P)
        a[c] = [x * inv % P for x in a[c]]
        for r in range(n):
            if r != c and a[r][c]:
                f = a[r][c]
                a[r] = [(x - f * y) % P for x, y in zip(a[r], a[c])]
    return [row[n:] for row in a]


def plain(t, rp, ark, mds, inputs):
    x = [0] + list(inputs)
    for r in range(8 + rp):
        x = [(v + c) % P for v, c in zip(x, ark[r])]
        x = [pow(v, 5, P) for v in x] if r < 4 or r >= 4 + rp else [pow(x[0], 5, P)] + x[1:]
        x = matvec(mds, x)
    return x[0]


def optimise(t, rp, ark, mds):
    # 1. Constants: push each partial round's constants of elements 1..t-1 into the next round.
    ark = [row[:] for row in ark]
    scalars = []
    for r in range(4, 4 + rp):
        rest = [0] + ark[r][1:]
        scalars.append(ark[r][0])
        pushed = matvec(mds, rest)
        ark[r + 1] = [(a + b) % P for a, b in zip(ark[r + 1], pushed)]
    # 2. Matrices: from the last partial round back to the first.
    sparse = [None] * rp
    carry = None  # the A of the round after
    for i in reversed(range(rp)):
        m = mds if carry is None else matmul(carry, mds)
        m11 = [row[1:] for row in m[1:]]
        w = matvec([list(col) for col in zip(*inverse(m11))], m[0][1:])  # m01^T M11^-1 as a column
        v = [m[j][0] for j in range(1, t)]
        sparse[i] = [m[0][0]] + w + v
        carry = [[1] + [0] * (t - 1)] + [[0] + row for row in m11]
    pre = matmul(carry, mds)
    constants = [c for r in range(4) for c in ark[r]] + scalars + [c for r in range(4 + rp, 8 + rp) for c in ark[r]]
    return constants, pre, sparse


def optimised(t, rp, constants, mds, pre, sparse, inputs):
    x = [0] + list(inputs)
    k = 0
    for r in range(4):
        x = [pow((v + constants[k + i]) % P, 5, P) for i, v in enumerate(x)]
        k += t
        x = matvec(pre if r == 3 else mds, x)
    for i in range(rp):
        s0 = pow((x[0] + constants[k]) % P, 5, P)
        k += 1
        row = sparse[i]
        new0 = (row[0] * s0 + sum(row[j] * x[j] for j in range(1, t))) % P
        x = [new0] + [(x[j] + row[t - 1 + j] * s0) % P for j in range(1, t)]
    for r in range(4):
        x = [pow((v + constants[k + i]) % P, 5, P) for i, v in enumerate(x)]
        k += t
        x = matvec(mds, x)
    assert k == len(constants)
    return x[0]


def limbs(v):
    m = v * R % P
    return [(m >> (64 * i)) & 0xFFFFFFFFFFFFFFFF for i in range(4)]


def main():
    widths = parse(sys.argv[1])
    here = os.path.dirname(os.path.abspath(__file__))
    vectors = json.load(open(os.path.join(here, "poseidon_vectors.json")))["cases"]
    rng = random.Random(7)
    tables = {}
    for t in range(2, 14):
        rp, ark, mds = widths[t]
        constants, pre, sparse = optimise(t, rp, ark, mds)
        for _ in range(3):
            inputs = [rng.randrange(P) for _ in range(t - 1)]
            assert plain(t, rp, ark, mds, inputs) == optimised(t, rp, constants, mds, pre, sparse, inputs), t
        for c in vectors:
            if len(c["inputs"]) == t - 1:
                assert "%064x" % optimised(t, rp, constants, mds, pre, sparse, [int(x, 16) for x in c["inputs"]]) == c["hash"], t
        flat = constants + [v for row in mds for v in row] + [v for row in pre for v in row] + [v for row in sparse for v in row]
        assert len(flat) == 8 * t + rp + 2 * t * t + rp * (2 * t - 1)
        tables[t] = flat
    out = ["// Generated by Tests/MerkleTests/Vectors/gen_poseidon_constants.py from light-poseidon's",
           "// src/parameters/bn254_x5.rs (circom parameters for BN254, x^5), precomputed for the optimised",
           "// permutation (the script's docstring derives it) and in Montgomery form. Do not edit.", "",
           "extension Poseidon {",
           "    /// Partial rounds for t = 2...13.",
           "    static let partialRounds: [Int] = [" + ", ".join(str(widths[t][0]) for t in range(2, 14)) + "]", "",
           "    /// Per width t = 2...13, one after the other: round constants (8t + R_P), M (t x t), P (t x t),",
           "    /// R_P sparse matrices (2t - 1 each); each element 4 little-endian limbs of value * 2^256 mod p.",
           "    static let table: [UInt64] = ["]
    total = 0
    for t in range(2, 14):
        out.append("        // t = %d" % t)
        for v in tables[t]:
            out.append("        " + ", ".join("0x%016x" % l for l in limbs(v)) + ",")
            total += 1
    out += ["    ]", "}", ""]
    path = os.path.normpath(os.path.join(here, "..", "..", "..", "Sources", "Merkle", "PoseidonConstants.swift"))
    with open(path, "w") as f:
        f.write("\n".join(out))
    print("wrote", path, total, "field elements, optimised form checked against the plain one and", len(vectors), "Light vectors")


if __name__ == "__main__":
    main()

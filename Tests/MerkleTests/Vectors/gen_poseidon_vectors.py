#!/usr/bin/env python3
"""Poseidon test vectors from Light Protocol's Rust implementation through its PyPI binding.

    pip install light-poseidon==0.1.1     # NOT light-poseidon-python (same module name)
    python3 Tests/MerkleTests/Vectors/gen_poseidon_vectors.py
"""
import json
import os
import random

from light_poseidon_python import Hasher

P = 0x30644E72E131A029B85045B68181585D2833E84879B9709143E1F593F0000001


def main():
    rng = random.Random(20261125)
    cases = []
    for n in range(1, 13):
        for inputs in ([i + 1 for i in range(n)], [rng.randrange(P) for _ in range(n)], [0] * n):
            out = Hasher(n).hash_bytes_be([x.to_bytes(32, "big") for x in inputs])
            cases.append({"inputs": ["%064x" % x for x in inputs], "hash": out[2:] if out.startswith("0x") else out})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "poseidon_vectors.json")
    with open(path, "w") as f:
        json.dump({"generator": "Tests/MerkleTests/Vectors/gen_poseidon_vectors.py", "package": "light-poseidon==0.1.1", "cases": cases}, f, indent=1)
        f.write("\n")
    print("wrote", path, len(cases), "cases")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The peer for our Poseidon: Light Protocol's Rust light-poseidon through its PyPI binding.

    pip install light-poseidon==0.1.1 && python3 Benchmarks/poseidon_peer.py

Times Hasher(n).hash_bytes_be on fixed random inputs (below the modulus), best of 5 runs of
20 000 calls, and prints hashes per second for 1, 2, 3 and 5 inputs.
"""
import random
import time

from light_poseidon_python import Hasher

P = 0x30644E72E131A029B85045B68181585D2833E84879B9709143E1F593F0000001

rng = random.Random(1)
for n in (1, 2, 3, 5):
    h = Hasher(n)
    inputs = [[rng.randrange(P).to_bytes(32, "big") for _ in range(n)] for _ in range(1_000)]
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for k in range(20_000):
            h.hash_bytes_be(inputs[k % 1_000])
        best = min(best, time.perf_counter() - start)
    print(f"light-poseidon (Rust via PyPI), {n} inputs: {20_000 / best:,.0f} hashes/s ({best / 20_000 * 1e6:.1f} us/hash)")

#!/usr/bin/env python3
"""Independent reference roots for Merkle trees, from shared/REFERENCE.md Part 2, section 1.

A plain sparse-tree construction (no changelog): leaf slots default to 32 zero bytes,
zero[i+1] = H(zero[i], zero[i]), parent = H(left || right). SHA-256 from hashlib, Keccak-256
(original padding) from pycryptodome, Poseidon from Light's Rust implementation (PyPI light-poseidon 0.1.1). Writes merkle_vectors.json for Tests/MerkleTests.

    pip install pycryptodome light-poseidon==0.1.1 && python3 Tests/MerkleTests/Vectors/gen_merkle_vectors.py
"""
import hashlib
import json
import os

from Crypto.Hash import keccak
from light_poseidon_python import Hasher as PoseidonHasher


def sha256(b):
    return hashlib.sha256(b).digest()


def keccak256(b):
    k = keccak.new(digest_bits=256)
    k.update(b)
    return k.digest()


_poseidon2 = PoseidonHasher(2)


def poseidon(b):
    """Light's Poseidon of two 32-byte big-endian children (light-poseidon==0.1.1)."""
    out = _poseidon2.hash_bytes_be([b[:32], b[32:]])
    return bytes.fromhex(out[2:] if out.startswith("0x") else out)


HASHERS = {"sha256": sha256, "keccak": keccak256, "poseidon": poseidon}
DEPTH = 26


def leaf(i):
    # Byte 0 cleared (Light's rule for field-sized values), so every leaf is below the BN254 modulus.
    return b"\x00" + sha256(b"pumpsim-leaf-" + i.to_bytes(4, "big"))[1:]


def root_and_levels(h, leaves, depth):
    zero = [bytes(32)]
    for _ in range(depth):
        zero.append(h(zero[-1] + zero[-1]))
    level = list(leaves)
    levels = [level]
    for d in range(depth):
        nxt = []
        for i in range(0, max(len(level), 1), 2):
            left = level[i] if i < len(level) else zero[d]
            right = level[i + 1] if i + 1 < len(level) else zero[d]
            nxt.append(h(left + right))
        level = nxt
        levels.append(level)
    return level[0], levels, zero


def proof(levels, zero, index, depth):
    out = []
    for d in range(depth):
        sib = (index >> d) ^ 1
        out.append((levels[d][sib] if sib < len(levels[d]) else zero[d]).hex())
    return out


def main():
    cases = []
    for name, h in HASHERS.items():
        leaves = [leaf(i) for i in range(100)]
        roots = {}
        for n in (0, 1, 2, 3, 8, 100):
            r, _, zero = root_and_levels(h, leaves[:n], DEPTH)
            roots[str(n)] = r.hex()
        _, levels, zero = root_and_levels(h, leaves, DEPTH)
        replaced = list(leaves)
        replaced[5] = b"\x00" + sha256(b"pumpsim-replacement")[1:]
        r_replaced, _, _ = root_and_levels(h, replaced, DEPTH)
        cases.append({
            "hash": name, "depth": DEPTH,
            "zero_root": zero[DEPTH].hex(),
            "roots_after_appends": roots,
            "replace_index": 5, "replacement": replaced[5].hex(), "root_after_replace": r_replaced.hex(),
            "proof_of_7_after_100": proof(levels, zero, 7, DEPTH),
        })
    out = {"generator": "Tests/MerkleTests/Vectors/gen_merkle_vectors.py",
           "leaf_rule": "sha256(b'pumpsim-leaf-' + i as 4-byte big-endian) with byte 0 set to 0",
           "keccak_empty": keccak256(b"").hex(), "keccak_abc": keccak256(b"abc").hex(),
           "keccak_200_bytes": keccak256(bytes(range(200))).hex(),
           "cases": cases}
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "leaves_100.txt"), "w") as f:
        for i in range(100):
            f.write(leaf(i).hex() + "\n")
    path = os.path.join(here, "merkle_vectors.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()

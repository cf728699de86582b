#!/usr/bin/env python3
"""Light Protocol v1 compressed-account and compressed-token leaf hashes, from shared/REFERENCE.md Part 2, sections 2 and 4.

hash_to_bn254_field_size_be(x) = keccak256(x || 0xFF) with byte 0 set to 0 (light-hasher hash_to_field_size.rs).
Compressed account hash, v1 / concurrent trees (compressed-account compressed_account.rs::hash_with_hashed_values):
Poseidon(h(owner), leaf_index word, h(tree), [lamports word if != 0], [address: never used here],
[discriminator word, data_hash] if data). Compressed token data hash, v1 (token-interface compressed_token/hash.rs::hash_v1):
Poseidon(h(mint), h(owner), amount word, [h(delegate)], [frozen word: not used here]). v1 numbers are little-endian
inside their 32-byte words. Keccak-256 (original padding) from pycryptodome, SHA-256 from hashlib, Poseidon from
Light's Rust implementation (PyPI light-poseidon 0.1.1). Inputs are fixed lists, so the output is deterministic.
Writes light_vectors.json for Tests/MerkleTests.

    pip install pycryptodome light-poseidon==0.1.1     # NOT light-poseidon-python (same module name)
    python3 Tests/MerkleTests/Vectors/gen_light_vectors.py
"""
import hashlib
import json
import os

from Crypto.Hash import keccak
from light_poseidon_python import Hasher as PoseidonHasher

P = 0x30644E72E131A029B85045B68181585D2833E84879B9709143E1F593F0000001
TOKEN_PROGRAM_B58 = "cTokenmWW8bLPjZEBAUgYy3zKxQZW6VKi7bqNFEVv3m"
TOKEN_V1_DISCRIMINATOR = bytes([2, 0, 0, 0, 0, 0, 0, 0])
U64_MAX = 2**64 - 1

RULES = (
    "pubkey(account N) = sha256(ascii 'pumpsim/account/<N>'), N a u32 in decimal; "
    "pubkey(mint M) = sha256(ascii 'pumpsim/mint/<M>'); "
    "pubkey(state tree T) = sha256(ascii 'pumpsim/tree/<T>'); "
    "token program = base58 decode (Bitcoin alphabet) of " + TOKEN_PROGRAM_B58 + " (32 bytes). "
    "h(x) = keccak256(x || 0xff) (Keccak-256, original padding) with byte 0 set to 0. "
    "Poseidon = Light/circom Poseidon over BN254 Fr of n 32-byte big-endian words, output 32 bytes big-endian. "
    "leaf_index word = 32 zero bytes, u32 little-endian in bytes[28..32]. "
    "lamports word = 32 zero bytes, u64 little-endian in bytes[24..32], byte[23] = 1 (only hashed when lamports != 0). "
    "discriminator word = 32 zero bytes, 8 discriminator bytes in bytes[24..32], byte[23] = 2. "
    "amount word = 32 zero bytes, u64 little-endian in bytes[24..32]. "
    "token_data_hash = Poseidon(h(mint), h(owner), amount word[, h(delegate)]). "
    "compressed account hash (v1) = Poseidon(h(owner), leaf_index word, h(tree)[, lamports word][, discriminator word, data_hash]). "
    "token account leaf = compressed account hash with owner = token program, lamports 0, "
    "discriminator 0200000000000000 (token v1), data_hash = token_data_hash(mint, owner, amount). "
    "All hex is lowercase without 0x; every hash is 32 bytes."
)

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58decode(s):
    n = 0
    for c in s:
        n = n * 58 + B58_ALPHABET.index(c)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(s) - len(s.lstrip("1"))
    return b"\x00" * pad + body


def sha256(b):
    return hashlib.sha256(b).digest()


def keccak256(b):
    k = keccak.new(digest_bits=256)
    k.update(b)
    return k.digest()


def hash_to_field(x):
    """light-hasher hash_to_bn254_field_size_be."""
    d = bytearray(keccak256(x + b"\xff"))
    d[0] = 0
    return bytes(d)


_hashers = {}


def poseidon(words):
    """Light's Poseidon of n 32-byte big-endian words (light-poseidon==0.1.1)."""
    for w in words:
        assert len(w) == 32 and int.from_bytes(w, "big") < P
    n = len(words)
    if n not in _hashers:
        _hashers[n] = PoseidonHasher(n)
    out = _hashers[n].hash_bytes_be(list(words))
    return bytes.fromhex(out[2:] if out.startswith("0x") else out)


def account_pubkey(n):
    return sha256(b"pumpsim/account/%d" % n)


def mint_pubkey(m):
    return sha256(b"pumpsim/mint/%d" % m)


def tree_pubkey(t):
    return sha256(b"pumpsim/tree/%d" % t)


TOKEN_PROGRAM = b58decode(TOKEN_PROGRAM_B58)
assert len(TOKEN_PROGRAM) == 32


def leaf_index_word(i):
    assert 0 <= i < 2**32
    w = bytearray(32)
    w[28:32] = i.to_bytes(4, "little")
    return bytes(w)


def lamports_word(lamports):
    assert 0 < lamports <= U64_MAX
    w = bytearray(32)
    w[24:32] = lamports.to_bytes(8, "little")
    w[23] = 1
    return bytes(w)


def discriminator_word(disc):
    assert len(disc) == 8
    w = bytearray(32)
    w[24:32] = disc
    w[23] = 2
    return bytes(w)


def amount_word(amount):
    assert 0 <= amount <= U64_MAX
    w = bytearray(32)
    w[24:32] = amount.to_bytes(8, "little")
    return bytes(w)


def token_data_inputs(mint, owner, amount, delegate=None):
    words = [hash_to_field(mint_pubkey(mint)), hash_to_field(account_pubkey(owner)), amount_word(amount)]
    if delegate is not None:
        words.append(hash_to_field(account_pubkey(delegate)))
    return words


def token_data_hash(mint, owner, amount, delegate=None):
    return poseidon(token_data_inputs(mint, owner, amount, delegate))


def compressed_account_inputs(owner, leaf_index, tree, lamports, disc, data_hash):
    words = [hash_to_field(owner), leaf_index_word(leaf_index), hash_to_field(tree_pubkey(tree))]
    if lamports != 0:
        words.append(lamports_word(lamports))
    # address: never used by the simulator, so never hashed here
    assert (disc is None) == (data_hash is None)
    if disc is not None:
        words += [discriminator_word(disc), data_hash]
    return words


def compressed_account_hash(owner, leaf_index, tree, lamports, disc, data_hash):
    return poseidon(compressed_account_inputs(owner, leaf_index, tree, lamports, disc, data_hash))


def token_account_leaf(mint, owner, amount, tree, leaf_index):
    return compressed_account_hash(TOKEN_PROGRAM, leaf_index, tree, 0, TOKEN_V1_DISCRIMINATOR,
                                   token_data_hash(mint, owner, amount))


def hx(b):
    return b.hex()


def self_checks():
    # Poseidon known answer (circomlibjs / light-poseidon README)
    one_two = poseidon([(1).to_bytes(32, "big"), (2).to_bytes(32, "big")])
    assert hx(one_two) == "115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a", hx(one_two)
    # Keccak-256 original padding, not SHA3-256
    assert hx(keccak256(b"")) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    # Base58 round trip of the token program id
    n = int.from_bytes(TOKEN_PROGRAM, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = B58_ALPHABET[r] + s
    s = "1" * (len(TOKEN_PROGRAM) - len(TOKEN_PROGRAM.lstrip(b"\x00"))) + s
    assert s == TOKEN_PROGRAM_B58
    # little-endian placement inside the words
    assert hx(leaf_index_word(2**26 - 1))[56:] == "ffffff03"
    assert hx(lamports_word(1))[46:] == "010100000000000000"
    assert hx(discriminator_word(TOKEN_V1_DISCRIMINATOR))[46:] == "020200000000000000"
    assert hx(amount_word(1_000_000_000))[48:] == "00ca9a3b00000000"
    return one_two


def main():
    one_two = self_checks()

    # --- hash_to_field -------------------------------------------------------------------
    h2f_inputs = [
        ("account/0", account_pubkey(0)),
        ("account/1", account_pubkey(1)),
        ("account/2", account_pubkey(2)),
        ("account/99999", account_pubkey(99999)),
        ("mint/0", mint_pubkey(0)),
        ("tree/0", tree_pubkey(0)),
        ("token_program", TOKEN_PROGRAM),
        ("ascii 'hello'", b"hello"),
    ]
    hash_to_field_cases = [{"label": label, "input_hex": hx(x), "output_hex": hx(hash_to_field(x))}
                           for label, x in h2f_inputs]

    # --- token_data ----------------------------------------------------------------------
    # (mint, owner, amount, delegate)
    token_cases = [
        (0, 0, 0, None),
        (0, 1, 1, None),
        (0, 2, U64_MAX, None),
        (0, 1, 1_000_000_000, None),
        (1, 3, 1_000_000_000_000, None),
        (2, 99999, 123_456_789, None),
        (0, 5, 2**32, None),
        (0, 1, 1_000_000_000, 2),
        (1, 4, 0, 0),
        (3, 7, U64_MAX, 99999),
    ]
    token_data = []
    for mint, owner, amount, delegate in token_cases:
        words = token_data_inputs(mint, owner, amount, delegate)
        token_data.append({
            "mint": mint, "owner": owner, "amount": amount, "delegate": delegate,
            "poseidon_inputs": [hx(w) for w in words],
            "token_data_hash": hx(poseidon(words)),
        })

    # --- compressed_account --------------------------------------------------------------
    other_owner = account_pubkey(42)
    other_data_hash = bytearray(sha256(b"pumpsim/data/0"))
    other_data_hash[0] = 0
    other_data_hash = bytes(other_data_hash)
    other_disc = bytes([1, 2, 3, 4, 5, 6, 7, 8])
    tdh = [bytes.fromhex(c["token_data_hash"]) for c in token_data]
    # (owner, owner_label, leaf_index, tree, lamports, disc, data_hash, data_label)
    acct_cases = [
        (TOKEN_PROGRAM, "token_program", 0, 0, 0, TOKEN_V1_DISCRIMINATOR, tdh[0], "token_data[0]"),
        (TOKEN_PROGRAM, "token_program", 1, 0, 0, TOKEN_V1_DISCRIMINATOR, tdh[1], "token_data[1]"),
        (TOKEN_PROGRAM, "token_program", 2, 0, 0, TOKEN_V1_DISCRIMINATOR, tdh[2], "token_data[2]"),
        (TOKEN_PROGRAM, "token_program", 255, 1, 0, TOKEN_V1_DISCRIMINATOR, tdh[3], "token_data[3]"),
        (TOKEN_PROGRAM, "token_program", 256, 1, 0, TOKEN_V1_DISCRIMINATOR, tdh[3], "token_data[3]"),
        (TOKEN_PROGRAM, "token_program", 65535, 2, 0, TOKEN_V1_DISCRIMINATOR, tdh[7], "token_data[7]"),
        (TOKEN_PROGRAM, "token_program", 2**26 - 1, 0, 0, TOKEN_V1_DISCRIMINATOR, tdh[4], "token_data[4]"),
        (TOKEN_PROGRAM, "token_program", 7, 0, U64_MAX, TOKEN_V1_DISCRIMINATOR, tdh[5], "token_data[5]"),
        (other_owner, "account/42", 3, 0, 1, other_disc, other_data_hash, "sha256('pumpsim/data/0') byte0=0"),
        (other_owner, "account/42", 4, 0, 1_000_000, None, None, None),
        (other_owner, "account/42", 5, 3, 0, None, None, None),
    ]
    compressed_account = []
    for owner, owner_label, leaf_index, tree, lamports, disc, data_hash, data_label in acct_cases:
        words = compressed_account_inputs(owner, leaf_index, tree, lamports, disc, data_hash)
        compressed_account.append({
            "owner_label": owner_label, "owner_hex": hx(owner), "leaf_index": leaf_index, "tree": tree,
            "lamports": lamports,
            "discriminator_hex": hx(disc) if disc is not None else None,
            "data_hash_hex": hx(data_hash) if data_hash is not None else None,
            "data_label": data_label,
            "poseidon_inputs": [hx(w) for w in words],
            "hash": hx(poseidon(words)),
        })

    # --- token_account_leaf --------------------------------------------------------------
    # (mint, owner, amount, tree, leaf_index)
    leaf_cases = [
        (0, 0, 0, 0, 0),
        (0, 1, 1, 0, 1),
        (0, 2, U64_MAX, 0, 2),
        (0, 1, 1_000_000_000, 0, 3),
        (1, 3, 1_000_000_000_000, 1, 255),
        (2, 99999, 123_456_789, 1, 256),
        (0, 5, 2**32, 2, 65535),
        (0, 7, 999, 0, 2**26 - 1),
        (4, 10, 500_000, 5, 100),
        (0, 1, 1_000_000_000, 0, 4),
    ]
    token_leaves = []
    for mint, owner, amount, tree, leaf_index in leaf_cases:
        leaf = token_account_leaf(mint, owner, amount, tree, leaf_index)
        token_leaves.append({"mint": mint, "owner": owner, "amount": amount, "tree": tree,
                             "leaf_index": leaf_index, "leaf": hx(leaf)})

    # cross-checks between sections: a token-owned compressed_account case equals the token leaf path
    assert compressed_account[0]["hash"] == token_leaves[0]["leaf"]
    assert compressed_account[1]["hash"] == token_leaves[1]["leaf"]
    assert compressed_account[2]["hash"] == token_leaves[2]["leaf"]
    assert len({c["hash"] for c in compressed_account}) == len(compressed_account)
    assert len({c["leaf"] for c in token_leaves}) == len(token_leaves)

    out = {
        "generator": "Tests/MerkleTests/Vectors/gen_light_vectors.py",
        "package": "light-poseidon==0.1.1, pycryptodome",
        "rules": RULES,
        "token_program_b58": TOKEN_PROGRAM_B58,
        "token_program_hex": hx(TOKEN_PROGRAM),
        "token_v1_discriminator_hex": hx(TOKEN_V1_DISCRIMINATOR),
        "poseidon_check": {"inputs": ["%064x" % 1, "%064x" % 2], "hash": hx(one_two)},
        "hash_to_field": hash_to_field_cases,
        "token_data": token_data,
        "compressed_account": compressed_account,
        "token_account_leaf": token_leaves,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "light_vectors.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", path, "(%d hash_to_field, %d token_data, %d compressed_account, %d token_account_leaf)"
          % (len(hash_to_field_cases), len(token_data), len(compressed_account), len(token_leaves)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Independent check of `pumpsim tx-sizes --json` against solders (Solana's Rust SDK).

Usage: python3 wire_sizes.py FILE.json   (or "-" for stdin)
Needs: pip install solders

Each transaction is rebuilt as a real legacy Solana transaction from its role
names, serialized by solders, and compared with what pumpsim reported.
Prints {"checked", "mismatches", "sizes"}; exits 0 if there are no mismatches, else 1.
"""
import hashlib
import json
import sys

from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.message import Message
from solders.pubkey import Pubkey
from solders.transaction import Transaction


def key(role: str) -> Pubkey:
    # Same role name -> same account. sha256 gives a deterministic, distinct
    # 32-byte key per name; programs are mapped the same way (the wire size
    # does not depend on the actual key bytes).
    return Pubkey(hashlib.sha256(role.encode()).digest())


def build(tx: dict) -> Transaction:
    ixs = [
        Instruction(
            key(ix["program"]),
            bytes(ix["data_bytes"]),  # zero-filled data of the given length
            [AccountMeta(key(a["key"]), a["signer"], a["writable"]) for a in ix["accounts"]],
        )
        for ix in tx["instructions"]
    ]
    # Fee payer = first signer; fixed blockhash so the output is reproducible.
    msg = Message.new_with_blockhash(ixs, key(tx["signers"][0]), Hash.default())
    # Unsigned tx carries num_required_signatures zeroed 64-byte signatures,
    # so its serialization is exactly as long as the signed one.
    return Transaction.new_unsigned(msg)


def main() -> int:
    src = sys.stdin if sys.argv[1:] in ([], ["-"]) else open(sys.argv[1])
    doc = json.load(src)
    mismatches, sizes = [], {}

    def check(name, field, pumpsim, solders_value):
        if pumpsim != solders_value:
            mismatches.append({"name": name, "field": field, "pumpsim": pumpsim, "solders": solders_value})

    for tx in doc["transactions"]:
        name = tx["name"]
        t = build(tx)
        raw = bytes(t)
        assert Transaction.from_bytes(raw) == t  # round-trip sanity check
        msg, n_sig = t.message, t.message.header.num_required_signatures
        assert len(t.signatures) == n_sig
        n_keys = len(msg.account_keys)
        sizes[name] = len(raw)
        check(name, "bytes", tx["bytes"], len(raw))
        check(name, "account_keys", tx["account_keys"], n_keys)
        # Every static key of a legacy message is locked (read or write).
        check(name, "account_locks", tx["account_locks"], n_keys)
        check(name, "num_required_signatures", len(tx["signers"]), n_sig)
        # The signer keys, fee payer first, must be exactly the declared signers.
        check(name, "signers", [str(key(s)) for s in tx["signers"]],
              [str(k) for k in msg.account_keys[:n_sig]])

    print(json.dumps({"checked": len(doc["transactions"]), "mismatches": mismatches, "sizes": sizes}, indent=2))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())

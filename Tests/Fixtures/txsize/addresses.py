#!/usr/bin/env python3
"""Independent check of `pumpsim trace wallets --ndjson`: every account's address must be the
base58 public key of the Ed25519 key pair whose 32-byte seed is
SHA-256(b"pumpsim-wallet-v1" + run_seed as u64 LE + account as u32 LE), as solders (PyPI;
Solana's Rust SDK types) derives and prints it.

    pumpsim trace wallets TRACE --ndjson | python3 addresses.py SEED

Prints {"checked": N, "mismatches": [...]}; exits 1 on any mismatch."""
import hashlib, json, sys
from solders.keypair import Keypair

seed = int(sys.argv[1])
checked, mismatches = 0, []
for line in sys.stdin:
    row = json.loads(line)
    key_seed = hashlib.sha256(b"pumpsim-wallet-v1" + seed.to_bytes(8, "little") + row["account"].to_bytes(4, "little")).digest()
    expected = str(Keypair.from_seed(key_seed).pubkey())
    checked += 1
    if expected != row["address"]:
        mismatches.append({"account": row["account"], "pumpsim": row["address"], "solders": expected})
print(json.dumps({"checked": checked, "mismatches": mismatches[:20]}))
sys.exit(1 if mismatches or checked == 0 else 0)

import SimCore
import Ledger
import Engine
import Scenario

/// `pumpsim tx-sizes`: the wire shape and size of every kind of transaction PumpSim simulates,
/// and how many airdrop recipients one transaction carries.
public enum TxSizeSession {
    /// Every kind, as the engine builds it: a launch with the longest name and symbol the
    /// program takes (or a scenario's own), airdrops and compressed moves at their most.
    public static func shapes(scenario: ResolvedScenario?) -> (shapes: [WireFormat.Shape], standardRecipients: UInt32, compressedRecipients: UInt32) {
        let costs = scenario?.config.chain.computeUnits ?? ComputeUnitCosts()
        let standard = WireFormat.maxAirdropRecipients(compressed: false, costs: costs)
        let compressed = WireFormat.maxAirdropRecipients(compressed: true, costs: costs)
        var out: [WireFormat.Shape] = []
        if let s = scenario, !s.config.tokens.isEmpty {
            for (i, t) in s.config.tokens.enumerated() {
                var shape = WireFormat.shape(of: .create(mint: MintID(UInt32(i)), initialBuyLamports: t.initialBuyLamports),
                                             nameBytes: t.name.utf8.count, symbolBytes: t.symbol.utf8.count)
                shape.name = "create \(t.symbol)"
                out.append(shape)
            }
        } else {
            out.append(WireFormat.shape(of: .create(mint: 0, initialBuyLamports: 1)))
        }
        let m: MintID = 0
        out += [
            WireFormat.shape(of: .buyExactSolIn(mint: m, spendableLamports: 1, minTokensOut: 0)),
            WireFormat.shape(of: .buyExactTokens(mint: m, tokens: 1, maxSolCostLamports: 1)),
            WireFormat.shape(of: .sell(mint: m, tokens: 1, minSolOutLamports: 0)),
            WireFormat.shape(of: .poolBuy(mint: m, baseOut: 1, maxQuoteInLamports: 1)),
            WireFormat.shape(of: .poolSell(mint: m, baseIn: 1, minQuoteOutLamports: 0)),
            WireFormat.shape(of: .claimRewards),
            WireFormat.shape(of: .airdrop(mint: m, firstRecipient: 0, count: standard, amount: 1)),
            WireFormat.shape(of: .compressedAirdrop(mint: m, firstRecipient: 0, count: compressed, amount: 1)),
            WireFormat.shape(of: .compressedTransfer(mint: m, to: 0, amount: 1)),
            WireFormat.shape(of: .compress(mint: m, amount: 1)),
            WireFormat.shape(of: .decompress(mint: m, amount: 1)),
        ]
        // One past the most: what the limit refuses.
        var over = WireFormat.shape(of: .airdrop(mint: m, firstRecipient: 0, count: standard + 1, amount: 1)); over.name = "airdrop (one recipient too many)"
        var overC = WireFormat.shape(of: .compressedAirdrop(mint: m, firstRecipient: 0, count: compressed + 1, amount: 1)); overC.name = "compressed_airdrop (one recipient too many)"
        out += [over, overC]
        return (out, standard, compressed)
    }

    /// The shapes as JSON (what `Tests/Fixtures/txsize/wire_sizes.py` reads).
    public static func json(_ r: (shapes: [WireFormat.Shape], standardRecipients: UInt32, compressedRecipients: UInt32)) -> JSON {
        .object([
            ("limits", .object([("max_transaction_bytes", .uint(UInt64(WireFormat.maxTransactionBytes))), ("max_account_locks", .uint(UInt64(WireFormat.maxAccountLocks)))])),
            ("airdrop_recipients_per_transaction", .object([("standard", .uint(UInt64(r.standardRecipients))), ("compressed", .uint(UInt64(r.compressedRecipients)))])),
            ("transactions", .array(r.shapes.map { s in
                .object([
                    ("name", .string(s.name)), ("signers", .array(s.signers.map { .string($0) })),
                    ("instructions", .array(s.steps.map { step in
                        .object([("program", .string(step.program)),
                                 ("accounts", .array(step.accounts.map { .object([("key", .string($0.role)), ("signer", .bool($0.signer)), ("writable", .bool($0.writable))]) })),
                                 ("data_bytes", .uint(UInt64(step.dataBytes)))])
                    })),
                    ("bytes", .uint(UInt64(s.bytes))), ("account_keys", .uint(UInt64(s.accountKeys))), ("account_locks", .uint(UInt64(s.accountKeys))),
                    ("fits", .bool(s.problem == nil)),
                ] + (s.problem.map { [("problem", JSON.string($0))] } ?? []))
            })),
        ])
    }
}

import Foundation
import Testing
import SimCore
import Ledger
import Merkle
import Engine
import Scenario

/// Compressed tokens through the whole engine: airdrops, transfers, compress and decompress as
/// transactions; the tree root in the digest; replay reproduces it.
struct CompressionRunTests {
    static let path = packageRoot.appendingPathComponent("Tests/Fixtures/compressed-small.yaml").path

    @Test func airdropsTransfersAndReplayAgree() throws {
        let c = try ScenarioLoader.load(path: Self.path).config
        let log = EventLog()
        let result = try run(c, log: log)
        let cm = result.metrics.compression
        #expect(cm.compressedRecipients == 60 && cm.standardRecipients == 60)
        #expect(cm.compressedAirdropTransactions == 6 + 2)     // 40 in 7s, then 20 as 13 + 7 (13 fill a transaction)
        #expect(cm.standardTransactions == 8)                   // 60 in 8s
        #expect(cm.standardRentLamports == 60 * 2_039_280)
        #expect(cm.leavesNullified == 3)                        // compress→transfer (1), alice (1), decompress (1)
        #expect(cm.failed[Int(RejectReason.insufficientTokens.rawValue)] == 1)
        let chain = result.world.chain
        let fans = c.poolFirstAccount(0)
        #expect(chain.compressed.balance(of: fans, mint: 0) == 10_000_000 && chain.balance(of: fans, mint: 0) == 5_000_000)
        #expect(chain.compressed.balance(of: c.walletAccount(2), mint: 0) == 20_000_000)
        #expect(chain.balance(of: c.walletAccount(2), mint: 0) == 100_000_000)
        // The tree holds 60 airdrop leaves, compress (1), two transfers (2 each), decompress change (1).
        #expect(chain.compressed.tree.nextIndex == 66)
        // Replay folds the same events to the same checkpoints (roots included).
        #expect(result.checkpoints.count >= 3)
        #expect(try Replayer.verify(config: c, records: log.records, checkpoints: result.checkpoints) == result.checkpoints.count)
        // A second run is identical, event for event.
        let again = EventLog()
        let b = try run(c, log: again)
        #expect(b.finalDigest == result.finalDigest && again.records == log.records)
    }

    @Test func aTamperedCompressedEventIsCaught() throws {
        let c = try ScenarioLoader.load(path: Self.path).config
        let log = EventLog()
        let result = try run(c, log: log)
        var records = log.records
        guard let i = records.firstIndex(where: { if case .ledger(.compressedTokensMoved) = $0.event { return true }; return false }),
              case .ledger(.compressedTokensMoved(var m)) = records[i].event else { Issue.record("no compressed move"); return }
        m.amount += 1   // same balances' shape, another leaf hash: only the root can tell
        records[i].event = .ledger(.compressedTokensMoved(m))
        #expect(throws: (any Error).self) { try Replayer.verify(config: c, records: records, checkpoints: result.checkpoints) }
    }

    @Test func theSummaryComparesStandardAndCompressed() throws {
        let c = try ScenarioLoader.load(path: Self.path).config
        let result = try run(c)
        let o = try #require(RunOutcome(result).compression)
        #expect(o.standard.accounts == 60 && o.standard.transactions == 8 && o.standard.rentLamports == 122_356_800)
        #expect(o.compressed.accounts == 60 && o.compressed.transactions == 8)
        #expect(o.treeRoot == "\(result.world.chain.compressed.tree.root)")
    }
}

/// The leaves of a block's compressed airdrops are hashed ahead on other cores, predicted as if
/// every airdrop before them lands; a failed one makes the later predictions wrong, and those
/// are hashed where their events come. Either way the run is the one a replay (which hashes every
/// leaf itself) reproduces.
struct LeafPrefetchTests {
    static let path = packageRoot.appendingPathComponent("Tests/Fixtures/compressed-mispredicted.yaml").path

    @Test func aFailedAirdropBeforeOthersInTheBlockChangesNothing() throws {
        let c = try ScenarioLoader.load(path: Self.path).config
        let log = EventLog()
        let result = try run(c, log: log)
        let cm = result.metrics.compression
        #expect(cm.failed[Int(RejectReason.insufficientTokens.rawValue)] == 2)  // the two 5-recipient halves of the first airdrop
        #expect(cm.compressedAirdropTransactions == 10 && cm.compressedRecipients == 50)
        #expect(result.world.chain.compressed.tree.nextIndex == 50)
        // The airdrops were in one block: the case the prediction is for.
        let moves = log.records.filter { if case .ledger(.compressedTokensMoved) = $0.event { return true }; return false }
        #expect(Set(moves.map(\.tick)).count == 1)
        #expect(try Replayer.verify(config: c, records: log.records, checkpoints: result.checkpoints) == result.checkpoints.count)
        // Leaf 0 is the first recipient of the second airdrop (account `fans + 10`), as hashed directly.
        guard case .ledger(.compressedTokensMoved(let first))? = moves.first?.event else { Issue.record("no move"); return }
        #expect(first.firstRecipient == c.poolFirstAccount(0) + 10 && first.firstLeaf == 0 && first.amount == 10_000_000)
        let expected = result.world.chain.compressed.leafHash(mint: 0, owner: first.firstRecipient, amount: first.amount, leafIndex: 0)
        #expect(result.world.chain.compressed.tree.node(level: 0, index: 0) == expected)
    }
}

import Testing
import SimCore
import Curves
@testable import Ledger

/// The mocked chain's packing, fee and execution rules, checked against the arithmetic of its limits.
struct BlockPackingTests {
    /// A chain with one declared mint per `mints` and `accounts` funded accounts.
    static func chain(mints: Int = 1, accounts: Int = 600, lamports: UInt64 = 100_000_000_000) -> Chain {
        var c = Chain()
        for _ in 0..<mints { c.declareMint(curve: .pumpFun(PumpFunCurve())) }
        for _ in 0..<accounts { c.openAccount(lamports: lamports, bornTick: -1_000) }
        return c
    }

    static func buy(_ id: TxID, payer: AccountID, mint: MintID = 0, priority: UInt64 = 1_000, tick: Tick = 0) -> Transaction {
        Transaction(id: id, payer: payer, computeUnits: 100_000, priorityMicroLamportsPerCU: priority, submittedTick: tick,
                    instruction: .buyExactSolIn(mint: mint, spendableLamports: 100_000_000, minTokensOut: 0))
    }

    @Test func oneCurveAccountTakesAtMost12MComputeUnitsPerBlock() throws {
        var c = Self.chain()
        for i in 0..<200 { try c.apply(.txSubmitted(Self.buy(TxID(i), payer: AccountID(2 + i)))) }
        var block: [Transaction] = []
        c.mempool.packBlock(config: c.config, into: &block)
        #expect(block.count == 120)   // 12_000_000 / 100_000
        #expect(c.mempool.count == 200)   // still pending until their events land
    }

    @Test func heldTransactionsStayOutOfPackingAndCountAgainstTheLimitsWhenPlacedFirst() throws {
        var c = Self.chain()
        // 50 recorded-stream buys, held out of the packer's index, then 200 ordinary ones.
        for i in 0..<50 {
            c.mempool.hold(TxID(i))
            try c.apply(.txSubmitted(Self.buy(TxID(i), payer: AccountID(2 + i), priority: 1_000_000)))
        }
        for i in 50..<250 { try c.apply(.txSubmitted(Self.buy(TxID(i), payer: AccountID(2 + i)))) }
        var block: [Transaction] = []
        c.mempool.packBlock(config: c.config, into: &block)
        #expect(block.count == 120 && block.allSatisfy { $0.id >= 50 })   // held ones never packed, despite their priority
        // Placed first (as a stream's landings are), they use up 5 M of the curve account's 12 M.
        block = (0..<50).map { c.mempool.pending(TxID($0))! }
        c.mempool.packBlock(config: c.config, into: &block)
        #expect(block.count == 120 && block[50...].allSatisfy { $0.id >= 50 })
    }

    @Test func aBlockTakesAtMost48MComputeUnits() throws {
        var c = Self.chain(mints: 5)
        var id: TxID = 0
        for m in 0..<5 {
            for _ in 0..<110 { try c.apply(.txSubmitted(Self.buy(id, payer: AccountID(UInt32(2 + id)), mint: MintID(m)))); id += 1 }
        }
        var block: [Transaction] = []
        c.mempool.packBlock(config: c.config, into: &block)
        #expect(block.count == 480)   // 48_000_000 / 100_000, less than 5 × 110
    }

    @Test func higherPriorityLandsFirstThenArrivalOrder() throws {
        var c = Self.chain()
        let priorities: [UInt64] = [5, 100, 5, 7, 100, 1]
        for (i, p) in priorities.enumerated() { try c.apply(.txSubmitted(Self.buy(TxID(i), payer: AccountID(2 + i), priority: p))) }
        var block: [Transaction] = []
        c.mempool.packBlock(config: c.config, into: &block)
        #expect(block.map(\.id) == [1, 4, 3, 0, 2, 5])
    }

    @Test func transactionsExpireAfterTheWindow() throws {
        var c = Self.chain()
        try c.apply(.txSubmitted(Self.buy(0, payer: 2, tick: 0)))
        try c.apply(.txSubmitted(Self.buy(1, payer: 3, tick: 10)))
        var out: [Transaction] = []
        c.mempool.expired(at: 149, expirySlots: 150, into: &out)
        #expect(out.isEmpty)
        c.mempool.expired(at: 150, expirySlots: 150, into: &out)
        #expect(out.map(\.id) == [0])
        try c.apply(.txExpired(TxExpired(txID: 0, payer: 2, mint: 0)))
        #expect(c.mempool.count == 1)
        #expect(c.mempool.pending(0) == nil)
    }

    @Test func feesAreBasePerSignaturePlusCeilPriority() {
        let tx = Transaction(id: 0, payer: 2, signatures: 2, computeUnits: 100_000, priorityMicroLamportsPerCU: 13_333,
                             submittedTick: 0, instruction: .claimRewards)
        // 2 × 5000 + ceil(100_000 × 13_333 / 1e6) = 10_000 + 1_334
        #expect(tx.feeLamports(baseFeePerSignature: 5_000) == 11_334)
    }

    @Test func aPayerThatCannotPayTheFeeIsDroppedUncharged() throws {
        var c = Self.chain(accounts: 1, lamports: 4_999)
        let tx = Self.buy(0, payer: 2)
        try c.apply(.txSubmitted(tx))
        let outcome = c.feeOutcome(of: tx)
        guard case .txDropped(let d) = outcome else { Issue.record("expected a drop, got \(outcome)"); return }
        #expect(d.reason == .insufficientFundsForFee)
        try c.apply(outcome)
        #expect(c.lamports[2] == 4_999)
        #expect(c.mempool.count == 0)
    }

    @Test func tradesMoveBalancesFeesRentAndHolders() throws {
        var c = Self.chain(accounts: 2, lamports: 10_000_000_000)
        try c.apply(.tokenCreated(TokenCreated(mint: 0, creator: 2)))
        let tx = Self.buy(0, payer: 3)
        var events: [LedgerEvent] = []
        c.execute(tx, into: &events)
        guard case .tradeExecuted(let t) = events.first else { Issue.record("expected a trade, got \(events)"); return }
        #expect(t.rentLamports == 2_039_280)
        let quote = try PumpFunCurve().quoteBuy(spendable: 100_000_000, minTokensOut: 0)
        #expect(t.tokens == quote.tokens && t.curveSol == quote.curveSol)
        for e in events { try c.apply(e) }
        #expect(c.lamports[3] == 10_000_000_000 - quote.solTotal - 2_039_280)
        #expect(c.balance(of: 3, mint: 0) == quote.tokens)
        #expect(c.lamports[Int(Chain.feeRecipient)] == quote.protocolFee)
        #expect(c.mints[0].creatorVaultLamports == quote.creatorFee)
        #expect(c.mints[0].holders == 1)
        // Second buy: no rent. Selling everything: no holder left.
        events.removeAll()
        c.execute(Self.buy(1, payer: 3), into: &events)
        guard case .tradeExecuted(let t2) = events.first else { Issue.record("expected a trade"); return }
        #expect(t2.rentLamports == 0)
        for e in events { try c.apply(e) }
        events.removeAll()
        let all = c.balance(of: 3, mint: 0)
        c.execute(Transaction(id: 2, payer: 3, computeUnits: 90_000, priorityMicroLamportsPerCU: 0, submittedTick: 0,
                              instruction: .sell(mint: 0, tokens: all, minSolOutLamports: 0)), into: &events)
        for e in events { try c.apply(e) }
        #expect(c.balance(of: 3, mint: 0) == 0)
        #expect(c.mints[0].holders == 0)
    }

    @Test func programRefusalsBecomeFailures() throws {
        var c = Self.chain(accounts: 1, lamports: 50_000_000)
        var events: [LedgerEvent] = []
        c.execute(Self.buy(0, payer: 2), into: &events)
        #expect(events == [.tradeFailed(TradeFailed(txID: 0, wallet: 2, mint: 0, side: .buy, reason: .tokenNotTradable))])
        try c.apply(.tokenCreated(TokenCreated(mint: 0, creator: 2)))
        events.removeAll()
        c.execute(Self.buy(1, payer: 2), into: &events)   // 0.1 SOL + rent > 0.05 SOL
        #expect(events == [.tradeFailed(TradeFailed(txID: 1, wallet: 2, mint: 0, side: .buy, reason: .insufficientFunds))])
        events.removeAll()
        c.execute(Transaction(id: 2, payer: 2, computeUnits: 90_000, priorityMicroLamportsPerCU: 0, submittedTick: 0,
                              instruction: .sell(mint: 0, tokens: 5, minSolOutLamports: 0)), into: &events)
        #expect(events == [.tradeFailed(TradeFailed(txID: 2, wallet: 2, mint: 0, side: .sell, reason: .insufficientTokens))])
    }

    @Test func theCompletingBuyMigratesTheCurve() throws {
        var c = Self.chain(accounts: 1, lamports: 200_000_000_000)
        try c.apply(.tokenCreated(TokenCreated(mint: 0, creator: 2)))
        var events: [LedgerEvent] = []
        c.execute(Transaction(id: 0, payer: 2, computeUnits: 100_000, priorityMicroLamportsPerCU: 0, submittedTick: 0,
                              instruction: .buyExactTokens(mint: 0, tokens: 800_000_000_000_000, maxSolCostLamports: .max)), into: &events)
        #expect(events.count == 3)
        guard case .curveMigrated(let m) = events.last else { Issue.record("expected a migration, got \(events)"); return }
        #expect(m.baseTokens == 206_900_000_000_000)
        #expect(m.quoteLamports == 84_990_359_056)
        for e in events { try c.apply(e) }
        #expect(c.mints[0].status == .migrated)
    }

    /// The lane index's heap against the plain truth of a sorted list: entries inserted and
    /// removed in random interleavings (priorities drawn from a few values, so ties on priority
    /// are common and arrival order decides) come out best first, every time.
    @Test func laneHeapRemovesInTheOrderASortGives() {
        var rng = SimRandom(seed: 15)
        for round in 0..<40 {
            var heap = LaneHeap()
            var truth: [Mempool.LaneEntry] = []
            var nextID: TxID = 0
            let steps = 1 + Int(rng.uniform(below: 3_000))
            for _ in 0..<steps {
                if truth.isEmpty || rng.uniform(below: 3) != 0 {
                    let e = Mempool.LaneEntry(priority: rng.uniform(below: round % 2 == 0 ? 4 : 1_000_000), id: nextID)
                    nextID += 1 + rng.uniform(below: 3)
                    heap.insert(e)
                    truth.append(e)
                } else {
                    // The truth's order from the fields, not the entry's packed key.
                    let best = truth.max { ($0.priority, $1.id) < ($1.priority, $0.id) }!
                    #expect(heap.max == best)
                    heap.removeMax()
                    truth.removeAll { $0 == best }
                }
                #expect(heap.count == truth.count)
            }
            var drained: [Mempool.LaneEntry] = []
            while let top = heap.max { drained.append(top); heap.removeMax() }
            #expect(drained == truth.sorted { ($0.priority, $1.id) > ($1.priority, $0.id) })
        }
        var empty = LaneHeap()
        empty.removeMax()
        #expect(empty.max == nil && empty.count == 0)
    }
}

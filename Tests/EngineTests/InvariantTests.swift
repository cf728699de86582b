import Testing
import SimCore
import Curves
import Ledger
import Merkle
import Rewards
import Engine

/// Each invariant broken on purpose, through the harness: a wrong event fed in, or (where
/// `evolve` refuses every wrong event, so only a bug in it could break the invariant) a bug
/// planted on one code path. Each must come back as the typed violation naming the invariant
/// and the event.
struct InvariantTests {
    static let dev: AccountID = 2, amy: AccountID = 3, bob: AccountID = 4

    func harness(_ defect: PlantedDefect? = nil) throws -> WorldHarness {
        var c = try config(WorldHarnessTests.yaml)
        c.chain.plantedDefect = defect
        var h = try WorldHarness(config: c)
        try h.send(.launch(mint: 0))
        try h.endSlot()
        return h
    }

    /// The violation a step throws, or nil if it threw nothing or something else.
    func violation(_ body: () throws(EvolveError) -> Void) -> InvariantViolation? {
        do { try body() } catch { return error.violation }
        return nil
    }

    /// amy buys 2 SOL of TEST in one slot and sells all of it in the next.
    func buyThenSellAll(_ h: inout WorldHarness) throws(EvolveError) {
        try h.send(.buy(wallet: Self.amy, mint: 0, lamports: 2_000_000_000, slippageBps: 500, priority: 1))
        try h.endSlot()
        let held = h.world.chain.balance(of: Self.amy, mint: 0)
        try h.send(.sell(wallet: Self.amy, mint: 0, tokens: held, slippageBps: 500, priority: 1))
        try h.endSlot()
    }

    @Test func theHonestEngineBreaksNothing() throws {
        var h = try harness()
        try buyThenSellAll(&h)
        try h.send(.joinEnvironment(mint: 0, wallet: Self.bob))
        try h.send(.virtualBuy(mint: 0, wallet: Self.bob, lamports: 1_000_000_000))
        try h.endSlot()
        try h.checkState()
    }

    @Test func solConservedCatchesAFeeRoundedTheWrongWay() throws {
        var h = try harness(.creatorFeeRoundedUp)
        let v = try #require(violation { () throws(EvolveError) in try buyThenSellAll(&h) })
        #expect(v.invariant == .solConserved && v.event == "TradeExecuted" && v.seq != nil)
        #expect(v.detail == "1 lamports created")
        let before = try #require(v.values.first { $0.name == "lamports_before" }), after = try #require(v.values.first { $0.name == "lamports_after" })
        #expect(UInt64(after.value)! == UInt64(before.value)! + 1)
    }

    @Test func tokensConservedCatchesASellThatLeavesATokenBehind() throws {
        var h = try harness(.sellTokensOffByOne)
        let v = try #require(violation { () throws(EvolveError) in try buyThenSellAll(&h) })
        #expect(v.invariant == .tokensConserved && v.event == "TradeExecuted")
        #expect(v.detail == "mint 0: 1 tokens created")
    }

    @Test func balanceInRangeCatchesASellOfTokensNotHeld() throws {
        var h = try harness()
        let bobHolds = h.world.chain.balance(of: Self.bob, mint: 0)
        #expect(bobHolds == 0)
        let wrong = Event.ledger(.tradeExecuted(TradeExecuted(txID: 999, wallet: Self.bob, mint: 0, side: .sell, tokens: 1_000_000,
                                                              curveSol: 10, protocolFee: 0, creatorFee: 0, rentLamports: 0)))
        let v = try #require(violation { () throws(EvolveError) in try h.feed(wrong) })
        #expect(v.invariant == .balanceInRange && v.event == "TradeExecuted")
    }

    @Test func curveCatchesATradeThatLowersXTimesY() throws {
        var h = try harness()
        let k = { (s: CurveState) in UInt128(s.virtualSol) * UInt128(s.virtualToken) }
        let before = k(h.world.chain.mints[0].curve.state)
        // A hundred million tokens for one lamport: X grows by 1, Y falls by 10^14.
        let wrong = Event.ledger(.tradeExecuted(TradeExecuted(txID: 999, wallet: Self.amy, mint: 0, side: .buy, tokens: 100_000_000_000_000,
                                                              curveSol: 1, protocolFee: 0, creatorFee: 0, rentLamports: 0)))
        let v = try #require(violation { () throws(EvolveError) in try h.feed(wrong) })
        #expect(v.invariant == .curve && v.detail == "mint 0: X·Y fell on a trade")
        #expect(v.values.first { $0.name == "k_before" }?.value == "\(before)")
    }

    @Test func rewardsWithinVaultCatchesAPaymentWithoutAClaim() throws {
        var h = try harness()
        try h.feed(.ledger(.transfer(Transfer(from: Chain.rewardsVault, to: Self.amy, lamports: 1_000_000_000))))
        // The vault has paid a SOL that no claim accounts for: the slot's end says so.
        let v = try #require(violation { () throws(EvolveError) in try h.endSlot() })
        #expect(v.invariant == .rewardsWithinVault && v.event == "SlotEnded")
        #expect(v.values.contains(.init("claimed_total", "0")))
    }

    @Test func virtualIsolatedCatchesAPaperTradeThatChargesTheRealWallet() throws {
        var h = try harness(.virtualTradeChargesRealWallet)
        try h.send(.joinEnvironment(mint: 0, wallet: Self.bob))
        let v = try #require(violation { () throws(EvolveError) in try h.send(.virtualBuy(mint: 0, wallet: Self.bob, lamports: 1_000_000_000)) })
        #expect(v.invariant == .virtualIsolated && v.event == "VirtualTradeExecuted")
    }

    @Test func mempoolLimitsCatchASubmissionPastMaxPending() throws {
        var h = try harness()  // max_pending: 3
        for w in [Self.amy, Self.bob, Self.dev] { try h.send(.buy(wallet: w, mint: 0, lamports: 100_000_000, slippageBps: 500, priority: 1)) }
        #expect(h.world.chain.mempool.count == 3)
        let tx = Transaction(id: h.world.nextTxID, payer: Self.amy, computeUnits: 100_000, priorityMicroLamportsPerCU: 1, submittedTick: h.tick,
                             instruction: .buyExactSolIn(mint: 0, spendableLamports: 100_000_000, minTokensOut: 0))
        let v = try #require(violation { () throws(EvolveError) in try h.feed(.ledger(.txSubmitted(tx))) })
        #expect(v.invariant == .mempoolLimits && v.values.contains(.init("pending", "4")))
    }

    @Test func blockLimitsCatchABlockOverItsComputeUnits() throws {
        var h = try harness()  // block_cu_limit: 250000
        let v = try #require(violation { () throws(EvolveError) in
            try h.feed(.slotEnded(SlotEnded(transactions: 0, computeUnits: 250_001, pending: UInt32(h.world.chain.mempool.count))))
        })
        #expect(v.invariant == .blockLimits && v.values.contains(.init("limit", "250000")))
    }

    @Test func blockLimitsCatchTooMuchOnOneWriteLockedAccount() throws {
        var h = try harness()  // account_cu_limit: 100000; a buy is 100000 CU
        try h.send(.buy(wallet: Self.amy, mint: 0, lamports: 100_000_000, slippageBps: 500, priority: 1))
        try h.send(.buy(wallet: Self.bob, mint: 0, lamports: 100_000_000, slippageBps: 500, priority: 1))
        let ids = [h.world.nextTxID - 2, h.world.nextTxID - 1]
        // The packer lands one of them per slot; a block that lands both on TEST's curve is over the limit.
        try h.feed(.ledger(.txIncluded(TxIncluded(txID: ids[0], payer: Self.amy, feeLamports: 5_001, computeUnits: 100_000))))
        let v = try #require(violation { () throws(EvolveError) in
            try h.feed(.ledger(.txIncluded(TxIncluded(txID: ids[1], payer: Self.bob, feeLamports: 5_001, computeUnits: 100_000))))
        })
        #expect(v.invariant == .blockLimits && v.values.contains(.init("compute_units", "200000")) && v.values.contains(.init("limit", "100000")))
    }

    @Test func merkleChangelogCatchesALeafThatIsNotItsAccountsHash() throws {
        var h = try harness()
        let held = h.world.chain.balance(of: Self.dev, mint: 0)
        let move = CompressedTokensMoved(txID: 999, payer: Self.dev, mint: 0, inputs: [], fromStandard: held, toStandard: 0,
                                         firstRecipient: Self.dev, recipients: 1, amount: held, change: 0, firstLeaf: 0, rentLamports: 0)
        // The right hash passes; a wrong one (as a caller that hashed the wrong account would pass) does not.
        var good = h
        try good.feed(.ledger(.compressedTokensMoved(move)))
        let wrongLeaf = try #require(MerkleNode([UInt8](repeating: 0, count: 31) + [7]))
        let v = try #require(violation { () throws(EvolveError) in try h.feed(.ledger(.compressedTokensMoved(move)), leaves: [wrongLeaf]) })
        #expect(v.invariant == .merkleChangelog && v.detail == "leaf 0 is not its account's hash")
    }

    @Test func everyInvariantHasABreakingTest() {
        // ws_accounted is the fan-out's (Tests/SessionsTests), catalog_consistent the catalog's
        // (Tests/CLITests/FuzzShrinkTests, under an injected write failure); the rest are above.
        #expect(Invariant.allCases.map(\.rawValue) == ["sol_conserved", "tokens_conserved", "balance_in_range", "curve", "rewards_within_vault",
                                                         "virtual_isolated", "mempool_limits", "block_limits", "merkle_changelog", "ws_accounted",
                                                         "catalog_consistent"])
    }

    @Test func aViolationSaysWhichInvariantWhichEventAndTheValues() {
        let v = InvariantViolation(.solConserved, "1 lamports created", values: [.init("lamports_before", "5"), .init("lamports_after", "6")],
                                   seq: 42, tick: 7, event: "TradeExecuted")
        #expect(v.description == "invariant sol_conserved broken by event 42 (tick 7, TradeExecuted): 1 lamports created [lamports_before=5, lamports_after=6]")
    }
}

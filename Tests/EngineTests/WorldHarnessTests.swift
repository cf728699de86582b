import Testing
import SimCore
import Curves
import Ledger
import Rewards
import Engine

/// The decide paths, command by command through `WorldHarness`: each step's events and the
/// world after it, checked against the pump.fun formulas and the platform's rules.
struct WorldHarnessTests {
    static let yaml = """
    version: 1
    seed: 3
    duration: 10m
    chain: {expiry_slots: 2, max_pending: 3, block_cu_limit: 250000, account_cu_limit: 100000}
    limits: {rate_limit: {trades: 2, window: 60s}, min_account_age: 1d, launch_protection: 10 slots}
    tokens:
      - {symbol: TEST, creator: dev, initial_buy_sol: 1, virtual_environment: {play_balance_sol: 10}}
    wallets:
      - {name: dev, balance_sol: 100}
      - {name: amy, balance_sol: 500}
      - {name: bob, balance_sol: 50}
      - {name: kid, balance_sol: 50, account_age_slots: 0}
    """
    static let dev: AccountID = 2, amy: AccountID = 3, bob: AccountID = 4, kid: AccountID = 5

    func harness() throws -> WorldHarness { try WorldHarness(config: try config(Self.yaml)) }

    func names(_ events: [Event]) -> [String] { events.map(\.typeName) }

    /// The harness with TEST launched and open (slot 0 decided, slot 0 closed).
    func launched() throws -> WorldHarness {
        var h = try harness()
        try h.send(.launch(mint: 0))
        try h.endSlot()
        return h
    }

    @Test func aLaunchIsDecidedThenLandsWithItsInitialBuy() throws {
        var h = try harness()
        #expect(names(try h.send(.launch(mint: 0))) == ["LaunchRequested", "EnvironmentCreated", "TxSubmitted"])
        #expect(h.world.chain.mints[0].status == .pending)
        let landed = try h.endSlot()
        #expect(names(landed) == ["TxIncluded", "TokenCreated", "TradeExecuted", "PointsAwarded", "TradingOpened", "PointsAwarded", "SlotEnded"])
        // The initial buy is buy_exact_sol_in(1 SOL) on a fresh curve: net = floor(1e9 × 10000 / 10125), trimmed by the fees.
        guard case .ledger(.tradeExecuted(let t)) = landed[2] else { Issue.record("no trade"); return }
        let fresh = PumpFunParameters().freshState
        let net = FeeProfile.v2025.netInput(spendable: 1_000_000_000, creatorFeeApplies: true)
        #expect(t.curveSol == net && t.tokens == UInt64(UInt128(net - 1) * UInt128(fresh.virtualToken) / (UInt128(fresh.virtualSol) + UInt128(net - 1))))
        #expect(h.world.chain.mints[0].status == .trading && h.world.isTradable(0))
        #expect(h.world.chain.balance(of: Self.dev, mint: 0) == t.tokens)
        #expect(h.world.chain.mints[0].holders == 1)
    }

    @Test func aSecondLaunchIsRefused() throws {
        var h = try launched()
        let e = try h.send(.launch(mint: 0))
        #expect(e == [.launchRejected(LaunchRejected(mint: 0, creator: Self.dev, reason: .alreadyLaunched))])
    }

    @Test func twoBuysInOneSlotAndTheSecondMissesItsSlippage() throws {
        var h = try launched()
        _ = try h.send(.buy(wallet: Self.amy, mint: 0, lamports: 20_000_000_000, slippageBps: 0, priority: 1_000_000))
        _ = try h.send(.buy(wallet: Self.bob, mint: 0, lamports: 5_000_000_000, slippageBps: 0, priority: 1))
        // One buy per curve per block here: amy's (higher priority) lands first and moves the price;
        // bob's min_tokens_out, set at zero slippage, fails on chain when it lands a slot later.
        let slot = try h.endSlot() + h.endSlot()
        let trades = slot.compactMap { if case .ledger(.tradeExecuted(let t)) = $0 { return t.wallet } else { return nil } }
        let failed = slot.compactMap { if case .ledger(.tradeFailed(let f)) = $0 { return f } else { return nil } }
        #expect(trades == [Self.amy])
        #expect(failed.map(\.wallet) == [Self.bob] && failed.first?.reason == .buySlippageBelowMinTokensOut)
        #expect(h.metrics.tokens[0].failedOnChain[Int(RejectReason.buySlippageBelowMinTokensOut.rawValue)] == 1)
    }

    @Test func platformRulesRefuseBeforeTheChain() throws {
        var h = try launched()
        // Launch protection: a wallet younger than a day cannot buy in the first 10 slots.
        #expect(try h.send(.buy(wallet: Self.kid, mint: 0, lamports: 1_000_000_000, slippageBps: 500, priority: 1))
                == [.tradeRejected(TradeRejected(wallet: Self.kid, mint: 0, side: .buy, reason: .accountTooNew))])
        // Selling more than the wallet holds.
        #expect(try h.send(.sell(wallet: Self.bob, mint: 0, tokens: 1, slippageBps: 500, priority: 1))
                == [.tradeRejected(TradeRejected(wallet: Self.bob, mint: 0, side: .sell, reason: .insufficientTokens))])
        // Rate limit: two trades per 60 s window, the third is refused.
        for _ in 0..<2 { #expect(names(try h.send(.buy(wallet: Self.amy, mint: 0, lamports: 100_000_000, slippageBps: 500, priority: 1))) == ["TxSubmitted"]) }
        #expect(try h.send(.buy(wallet: Self.amy, mint: 0, lamports: 100_000_000, slippageBps: 500, priority: 1))
                == [.tradeRejected(TradeRejected(wallet: Self.amy, mint: 0, side: .buy, reason: .rateLimited))])
        // Nothing to claim.
        #expect(try h.send(.claim(wallet: Self.bob, priority: 1)) == [.claimFailed(ClaimFailed(wallet: Self.bob, reason: .nothingToClaim))])
    }

    @Test func aFullMempoolDropsAndAStuckTransactionExpires() throws {
        var h = try launched()
        // Three pending at most: of four buys the fourth is dropped.
        var submitted = 0, dropped = 0
        for w in [Self.amy, Self.bob, Self.dev, Self.amy] {
            for e in try h.send(.buy(wallet: w, mint: 0, lamports: 100_000_000, slippageBps: 5_000, priority: 1)) {
                if case .ledger(.txSubmitted) = e { submitted += 1 }
                if case .ledger(.txDropped(let d)) = e, d.reason == .mempoolFull { dropped += 1 }
            }
        }
        #expect(submitted == 3 && dropped == 1 && h.world.chain.mempool.count == 3)
        // The curve's account takes 100 000 CU a block: one buy per slot. The third waits past
        // its 2-slot expiry (submitted in slot 1, still pending at the end of slot 3).
        var landedAt: [Tick] = [], expiredAt: [Tick] = []
        for _ in 0..<4 {
            let tick = h.tick
            for e in try h.endSlot() {
                if case .ledger(.txIncluded) = e { landedAt.append(tick) }
                if case .ledger(.txExpired) = e { expiredAt.append(tick) }
            }
        }
        #expect(landedAt == [1, 2] && expiredAt == [3] && h.world.chain.mempool.count == 0)
        #expect(h.metrics.chain.expired == 1 && h.metrics.tokens[0].rejected[Int(RejectReason.expired.rawValue)] == 1)
    }

    @Test func aBuyThatTakesTheLastTokenGraduatesAndMigrates() throws {
        var h = try launched()
        _ = try h.send(.buy(wallet: Self.amy, mint: 0, lamports: 200_000_000_000, slippageBps: 10_000, priority: 1))
        let slot = try h.endSlot()
        #expect(names(slot).contains("CurveCompleted") && names(slot).contains("CurveMigrated"))
        #expect(h.world.chain.mints[0].status == .migrated && h.world.chain.mints[0].curve.state.realToken == 0)
        guard let migrated = slot.compactMap({ if case .ledger(.curveMigrated(let m)) = $0 { return m } else { return nil } }).first else { return }
        #expect(migrated.migrationFeeLamports == PumpFunParameters.mainnet.poolMigrationFee)
        #expect(migrated.quoteLamports == h.world.chain.mints[0].curve.state.realSol - migrated.migrationFeeLamports)
        // The pool starts as REFERENCE.md Part 3 §1b says: 206.9M tokens and the real SOL less 15 000 001.
        let pool = try #require(h.world.chain.mints[0].pool)
        #expect(pool.baseTokens == 206_900_000_000_000 && pool.quoteLamports == h.world.chain.mints[0].curve.state.realSol - 15_000_001)
        // After migration the curve trades no more: a buy goes to the PumpSwap pool, as the
        // pool program's buy(base_out, max_quote_in) from the SDK's estimate for 1 SOL (tier 0
        // fees at a market cap near 410 SOL, 1.25 %: eff = floor(10⁹·10⁴/10 125) = 987 654 320,
        // base = floor(B·eff/(Q+eff))).
        let sent = try h.send(.buy(wallet: Self.bob, mint: 0, lamports: 1_000_000_000, slippageBps: 500, priority: 1))
        guard case .ledger(.txSubmitted(let tx))? = sent.first, case .poolBuy(0, let base, let maxIn) = tx.instruction else {
            Issue.record("not a pool buy: \(sent)"); return
        }
        #expect(UInt128(base) == UInt128(pool.baseTokens) * 987_654_320 / (UInt128(pool.quoteLamports) + 987_654_320) && maxIn == 1_050_000_000)
        let landed = try h.endSlot()
        let swap = try #require(landed.compactMap { if case .ledger(.poolTradeExecuted(let s)) = $0 { return s } else { return nil } }.first, "\(names(landed))")
        // raw = ceil(Q·b/(B−b)); fees ceil(raw·bps/10⁴) each: LP 2, protocol 93, creator 30 bps.
        let raw = (UInt128(pool.quoteLamports) * UInt128(base) + UInt128(pool.baseTokens - base) - 1) / UInt128(pool.baseTokens - base)
        #expect(UInt128(swap.rawQuote) == raw)
        #expect(swap.lpFee == (swap.rawQuote * 2 + 9_999) / 10_000 && swap.protocolFee == (swap.rawQuote * 93 + 9_999) / 10_000
                && swap.creatorFee == (swap.rawQuote * 30 + 9_999) / 10_000)
        #expect(h.world.chain.balance(of: Self.bob, mint: 0) == base)
        let after = try #require(h.world.chain.mints[0].pool)
        #expect(after.baseTokens == pool.baseTokens - base && after.quoteLamports == pool.quoteLamports + swap.rawQuote + swap.lpFee)
        // And back: a sale of it all gets less than was paid (fees both ways), the LP fees stay.
        _ = try h.send(.sellShare(wallet: Self.bob, mint: 0, shareBps: 10_000, slippageBps: 500, priority: 1))
        let sold = try h.endSlot()
        let back = try #require(sold.compactMap { if case .ledger(.poolTradeExecuted(let s)) = $0 { return s } else { return nil } }.first, "\(names(sold))")
        #expect(back.side == .sell && back.base == base && h.world.chain.balance(of: Self.bob, mint: 0) == 0)
        #expect(back.checkedUserQuote! < swap.checkedUserQuote!)
        #expect(h.world.chain.mints[0].pool!.baseTokens == pool.baseTokens)
    }

    @Test func aVirtualEnvironmentTouchesNothingReal() throws {
        var h = try launched()
        let before = (h.world.chain.lamports, h.world.chain.mints[0].curve.state)
        #expect(names(try h.send(.virtualBuy(mint: 0, wallet: Self.bob, lamports: 1_000_000_000))) == ["VirtualTradeRejected"])
        #expect(names(try h.send(.joinEnvironment(mint: 0, wallet: Self.bob))) == ["VirtualJoined"])
        #expect(names(try h.send(.virtualBuy(mint: 0, wallet: Self.bob, lamports: 1_000_000_000))) == ["VirtualTradeExecuted"])
        #expect(h.world.chain.lamports == before.0 && h.world.chain.mints[0].curve.state == before.1)
        #expect(h.world.environments[0].tokens[0] > 0)
    }

    // MARK: evolve refuses what does not fit, naming the event

    func refusal(_ event: Event, in h: inout WorldHarness) -> String? {
        do { try h.feed(event); return nil } catch {
            guard case .event(let seq, _, let type, _) = error else { return "unnamed: \(error)" }
            #expect(seq == h.eventCount && type == event.typeName)
            return error.description
        }
    }

    @Test func evolveRefusesEventsThatReferToNothing() throws {
        var h = try launched()
        let trade = TradeExecuted(txID: 99, wallet: Self.amy, mint: 7, side: .buy, tokens: 1, curveSol: 1, protocolFee: 0, creatorFee: 0, rentLamports: 0)
        #expect(refusal(.ledger(.tradeExecuted(trade)), in: &h)?.contains("unknown mint") == true)
        #expect(refusal(.chatPosted(ChatPosted(wallet: 9_999, mint: 0, bytes: 1)), in: &h)?.contains("unknown account") == true)
        #expect(refusal(.ledger(.txIncluded(TxIncluded(txID: 12_345, payer: Self.amy, feeLamports: 5_000, computeUnits: 1))), in: &h)?.contains("is not pending") == true)
        #expect(refusal(.virtualJoined(VirtualJoined(environment: 3, wallet: Self.amy, playLamports: 1)), in: &h)?.contains("does not exist") == true)
        #expect(refusal(.rewards(.pointsAwarded(PointsAwarded(user: 70_000, action: .trade, points: 1, accruedLamports: 1))), in: &h)?.contains("unknown account") == true)
        #expect(refusal(.ledger(.tokenCreated(TokenCreated(mint: 0, creator: Self.dev))), in: &h)?.contains("created a second time") == true)
    }

    @Test func evolveRefusesSlotsOutOfOrderAndDuplicatedSlotEnds() throws {
        var h = try launched()
        // Slots 0 and 1 have ended: an event of slot 1 (a duplicated SlotEnded) comes too late.
        try h.endSlot()
        let pending = UInt32(h.world.chain.mempool.count)
        var world = h.world
        #expect(throws: EvolveError.self) {
            try world.evolve(EventRecord(tick: 1, seq: h.eventCount, event: .slotEnded(SlotEnded(transactions: 0, computeUnits: 0, pending: pending))))
        }
        do {
            try world.evolve(EventRecord(tick: 1, seq: h.eventCount, event: .slotEnded(SlotEnded(transactions: 0, computeUnits: 0, pending: pending))))
        } catch {
            #expect(error.description.contains("tick 1 has already ended") && error.description.contains("SlotEnded"), "\(error)")
        }
        // A SlotEnded that claims transactions no TxIncluded landed.
        #expect(refusal(.slotEnded(SlotEnded(transactions: 3, computeUnits: 0, pending: pending)), in: &h)?.contains("landed") == true)
        // A sell whose fees exceed its curve amount.
        var g = try launched()
        let sell = TradeExecuted(txID: 0, wallet: Self.dev, mint: 0, side: .sell, tokens: 1, curveSol: 1, protocolFee: 5, creatorFee: 0, rentLamports: 0)
        #expect(refusal(.ledger(.tradeExecuted(sell)), in: &g)?.contains("do not add up") == true)
    }
}

import Testing
import SimCore
import Curves
import Ledger
import Engine

/// A small scripted world: one token launched by alice, bob and carol trade on a timeline.
let scripted = """
version: 1
seed: 5
duration: 2m
tokens:
  - {symbol: TEST, creator: alice, initial_buy_sol: 1, launch_at: 0s, virtual_environment: {play_balance_sol: 10}}
wallets:
  - {name: alice, balance_sol: 10}
  - {name: bob, balance_sol: 10}
  - {name: carol, balance_sol: 10, account_age_slots: 0}
rewards:
  lamports_per_point: 10000
timeline:
  - {at: 2s, action: buy, wallet: bob, token: TEST, sol: 2}
  - {at: 4s, action: chat, wallet: bob, token: TEST}
  - {at: 6s, action: sell, wallet: bob, token: TEST, share_bps: 5000}
  - {at: 8s, action: claim, wallet: bob}
  - {at: 10s, action: join_environment, wallet: carol, token: TEST}
  - {at: 12s, action: virtual_buy, wallet: carol, token: TEST, sol: 4}
"""

struct EngineBehaviourTests {
    @Test func theLaunchFlowHappensInOrder() throws {
        let log = EventLog()
        _ = try run(try config(scripted), log: log)
        let names = log.records.prefix(9).map(\.event.typeName)
        #expect(names == ["LaunchRequested", "EnvironmentCreated", "TxSubmitted", "TxIncluded", "TokenCreated",
                          "TradeExecuted", "PointsAwarded", "TradingOpened", "PointsAwarded"])
    }

    @Test func badLaunchParametersBecomeRejectionEvents() throws {
        let long = try config(scripted, overrides: ["tokens.0.symbol=TOOLONGSYMBOL", "timeline=[]"])
        let log = EventLog()
        let r = try run(long, log: log)
        let rejected = log.records.compactMap { if case .launchRejected(let e) = $0.event { return e.reason } else { return nil } }
        #expect(rejected == [.symbolTooLong])
        #expect(r.world.chain.mints[0].status == .pending)
        let broke = try config(scripted, overrides: ["tokens.0.initial_buy_sol=50", "timeline=[]"])
        let log2 = EventLog()
        _ = try run(broke, log: log2)
        let reasons = log2.records.compactMap { if case .launchRejected(let e) = $0.event { return e.reason } else { return nil } }
        #expect(reasons == [.insufficientFunds])
    }

    @Test func theRewardsFlowEndsInTheClaimantsBalance() throws {
        let log = EventLog()
        let r = try run(try config(scripted), log: log)
        let bob: AccountID = 3
        let claims = log.records.compactMap { if case .rewards(.rewardsClaimed(let c)) = $0.event { return c } else { return nil } }
        #expect(claims.count == 1)
        let claim = try #require(claims.first)
        #expect(claim.user == bob)
        #expect(claim.lamports == r.world.rewards.accruedLamports[Int(bob)])
        #expect(claim.lamports > 0)
        // bob's lamports: start − buy − sell proceeds − fees + claim, all from events.
        var expected: Int64 = 10_000_000_000
        for rec in log.records {
            switch rec.event {
            case .ledger(.txIncluded(let i)) where i.payer == bob: expected -= Int64(i.feeLamports)
            case .ledger(.tradeExecuted(let t)) where t.wallet == bob:
                expected += t.side == .buy ? -Int64(t.solTotal + t.rentLamports) : Int64(t.solTotal)
            case .ledger(.transfer(let t)) where t.to == bob: expected += Int64(t.lamports)
            default: break
            }
        }
        #expect(Int64(r.world.chain.lamports[Int(bob)]) == expected)
    }

    @Test func virtualEnvironmentsNeverTouchTheChainOrEachOther() throws {
        let base = """
        version: 1
        seed: 11
        duration: 3m
        tokens:
          - {symbol: AAA, creator: makers, initial_buy_sol: 1, launch_at: 0s, virtual_environment: {play_balance_sol: 30}}
          - {symbol: BBB, creator: makers, initial_buy_sol: 1, launch_at: 0s, virtual_environment: {play_balance_sol: 30}}
        agents:
          - {name: makers, count: 2, strategy: creator}
          - {name: traders, count: 200, strategy: retail, params: {trades_per_hour: 30}}
        """
        let paper = "\n  - {name: paper, count: 40, strategy: retail, venue: {virtual: AAA}, params: {trades_per_hour: 120}}\n"
        let without = try run(try config(base))
        let with = try run(try config(base + paper))
        // The paper group comes last, so every real agent keeps its account and stream.
        var a = CanonicalEncoder(), b = CanonicalEncoder()
        without.world.chain.encode(to: &a)
        with.world.chain.encode(to: &b)
        #expect(a.bytes.count < b.bytes.count)   // 40 more accounts ...
        for m in 0..<2 {
            #expect(without.world.chain.mints[m].curve.state == with.world.chain.mints[m].curve.state)   // ... same real curves
        }
        for acct in 0..<without.world.chain.accountCount {
            #expect(without.world.chain.lamports[acct] == with.world.chain.lamports[acct])
        }
        let envA = with.world.environments[0], envB = with.world.environments[1]
        #expect(envA.trades > 0)
        #expect(envA.participants.count == 40)
        #expect(envB.trades == 0)
        #expect(envB.curve.state == PumpFunCurve().state)   // untouched copy of the fresh curve
        #expect(envA.curve.state != with.world.chain.mints[0].curve.state)
        // Play balances never exceed what participants were given plus what they sold.
        #expect(envA.lamports.allSatisfy { $0 <= 30_000_000_000 + envA.curve.state.realSol })
    }

    @Test func rateLimitsAndAccountAgeRejectWithReasons() throws {
        let c = try config("""
        version: 1
        duration: 1m
        tokens:
          - {symbol: T, creator: dev, initial_buy_sol: 1, launch_at: 0s}
        wallets:
          - {name: dev, balance_sol: 5}
          - {name: fresh, balance_sol: 5, account_age_slots: 0}
          - {name: spammer, balance_sol: 50}
        limits:
          rate_limit: {trades: 2, window: 60s}
          min_account_age: 1h
          launch_protection: 10s
        timeline:
          - {at: 2s, action: buy, wallet: fresh, token: T, sol: 0.5}
          - {at: 20s, action: buy, wallet: fresh, token: T, sol: 0.5}
          - {at: 3s, action: buy, wallet: spammer, token: T, sol: 0.1}
          - {at: 4s, action: buy, wallet: spammer, token: T, sol: 0.1}
          - {at: 5s, action: buy, wallet: spammer, token: T, sol: 0.1}
        """)
        let log = EventLog()
        let r = try run(c, log: log)
        let rejections = log.records.compactMap { rec -> (AccountID, RejectReason)? in
            if case .tradeRejected(let e) = rec.event { return (e.wallet, e.reason) } else { return nil }
        }
        #expect(rejections.map(\.0) == [3, 4])
        #expect(rejections.map(\.1) == [.accountTooNew, .rateLimited])
        #expect(r.metrics.tokens[0].buys == 1 + 1 + 2)   // initial buy, fresh after protection, spammer twice
    }

    @Test func aFrenzyCongestsBlocksAndExpiresTransactions() throws {
        let c = try config("""
        version: 1
        duration: 2m
        chain: {expiry_slots: 20}
        tokens:
          - {symbol: HOT, creator: dev, initial_buy_sol: 1, launch_at: 0s}
        wallets:
          - {name: dev, balance_sol: 5}
        agents:
          - name: bots
            count: 3000
            strategy: sniper
            balance_sol: 5
            params: {delay_slots: {min: 1, max: 3}, buy_sol: 0.01}
        """)
        let r = try run(c)
        // 3000 buys in about 3 slots against 120 per slot on one curve account.
        #expect(r.metrics.chain.congestedSlots > 5)
        #expect(r.metrics.chain.expired > 0)
        #expect(r.metrics.chain.maxPending > 2_000)
        #expect(r.metrics.tokens[0].rejected[Int(RejectReason.expired.rawValue)] == r.metrics.chain.expired)
    }
}

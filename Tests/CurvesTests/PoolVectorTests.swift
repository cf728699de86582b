import Foundation
import Testing
@testable import Curves

/// PumpSwap's pool math against vectors computed independently from REFERENCE.md Part 3 §1
/// (`Tests/Fixtures/pool/pool_vectors.py`, Python integers): migration liquidity, fee tiers by
/// market cap, and the three swap forms with their fees and reserves.
@Suite struct PoolVectorTests {
    nonisolated(unsafe) static let vectors: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/pool/vectors.json")
        let data = (try? Data(contentsOf: url)) ?? Data("{}".utf8)
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }()

    static func u(_ v: Any?) -> UInt64 { (v as? NSNumber)?.uint64Value ?? UInt64.max }
    static func fees(_ v: [String: Any]) -> PoolFees {
        PoolFees(lpDeciBps: UInt32(u(v["lp_bps"]) * 10), protocolDeciBps: UInt32(u(v["protocol_bps"]) * 10), creatorDeciBps: UInt32(u(v["creator_bps"]) * 10))
    }

    @Test func migrationMintsTheLiquidityTheProgramDoes() throws {
        let list = try #require(Self.vectors["migration"] as? [[String: Any]])
        #expect(list.count >= 4)
        for v in list {
            #expect(ConstantProductPool.initialLiquidity(base: Self.u(v["base_in"]), quote: Self.u(v["quote_in"])) == Self.u(v["initial_liquidity"]), "\(v)")
        }
        // The observed CreatePoolEvent (REFERENCE: base 206.9e12, quote 84990359094).
        #expect(ConstantProductPool.initialLiquidity(base: 206_900_000_000_000, quote: 84_990_359_094) == 4_193_388_283_542)
    }

    @Test func feeTiersFollowTheMarketCap() throws {
        let lookups = try #require((Self.vectors["fee_tiers"] as? [String: Any])?["lookups"] as? [[String: Any]])
        #expect(lookups.count >= 15)
        for v in lookups {
            let cap = UInt128(Self.u(v["mcap_lamports"]))
            let f = PoolFeeSchedule.marketCapTiers.fees(marketCapLamports: cap, creator: true)
            #expect(UInt64(f.creatorDeciBps) == Self.u(v["creator_bps_x10"]), "\(v)")
            #expect(UInt64(f.protocolDeciBps) == Self.u(v["protocol_bps"]) * 10 && UInt64(f.lpDeciBps) == Self.u(v["lp_bps"]) * 10, "\(v)")
        }
    }

    @Test func swapsMatchTheSDKsArithmetic() throws {
        let swaps = try #require(Self.vectors["swaps"] as? [[String: Any]])
        var checked = 0
        for v in swaps {
            let B = Self.u(v["base_reserve"]), Q = Self.u(v["quote_reserve"]), a = Self.u(v["amount"]), f = Self.fees(v)
            let failed = v["error"] != nil
            switch v["op"] as? String {
            case "buy_quote_in":
                guard !failed else { continue }
                #expect(ConstantProductPool.baseOut(forQuote: a, base: B, quote: Q, fees: f) == Self.u(v["base_out"]), "\(v)")
            case "buy_base_out":
                let q = try? ConstantProductPool.buy(baseOut: a, base: B, quote: Q, fees: f)
                if failed { #expect(q == nil, "\(v)"); continue }
                let s = try #require(q, "\(v)")
                #expect(s.rawQuote == Self.u(v["raw_quote"]) && s.lpFee == Self.u(v["lp_fee"]) && s.protocolFee == Self.u(v["protocol_fee"])
                        && s.creatorFee == Self.u(v["creator_fee"]) && s.userQuote == Self.u(v["user_quote_paid"]), "\(v)")
                #expect(B - s.base == Self.u(v["new_base_reserve"]) && Q + s.rawQuote + s.lpFee == Self.u(v["new_quote_reserve"]), "\(v)")
            case "sell_base_in":
                let q = try? ConstantProductPool.sell(baseIn: a, base: B, quote: Q, fees: f)
                if failed { #expect(q == nil, "\(v)"); continue }
                let s = try #require(q, "\(v)")
                #expect(s.rawQuote == Self.u(v["raw_quote"]) && s.lpFee == Self.u(v["lp_fee"]) && s.protocolFee == Self.u(v["protocol_fee"])
                        && s.creatorFee == Self.u(v["creator_fee"]) && s.userQuote == Self.u(v["user_quote_received"]), "\(v)")
                #expect(B + s.base == Self.u(v["new_base_reserve"]) && Q - s.rawQuote + s.lpFee == Self.u(v["new_quote_reserve"]), "\(v)")
            default:
                Issue.record("unknown op in \(v)")
            }
            checked += 1
        }
        #expect(checked >= 150)
    }

    /// A hand-computed case (REFERENCE's numbers): right after pump.fun's graduation the pool
    /// holds 206.9M tokens and 84.990359056 SOL, its market cap (≈ 410.78 SOL) is in tier 0
    /// (creator 0.30 %, protocol 0.93 %, LP 0.02 %), and 1 SOL buys 2 376 720.172799 tokens.
    @Test func rightAfterGraduation() throws {
        var curve = PumpFunCurve()
        let all = try curve.quoteBuy(tokens: curve.initialRealToken, maxSolCost: UInt64.max)
        curve.state = all.stateAfter
        let c = try curve.migrate()
        #expect(c.baseTokens == 206_900_000_000_000 && c.quoteLamports == 84_990_359_056)
        let cap = ConstantProductPool.marketCap(base: c.baseTokens, quote: c.quoteLamports, supply: 1_000_000_000_000_000)
        #expect(cap == 410_779_889_105)
        let f = PoolFeeSchedule.marketCapTiers.fees(marketCapLamports: cap, creator: true)
        #expect(f == PoolFees(lpDeciBps: 20, protocolDeciBps: 930, creatorDeciBps: 300))
        #expect(ConstantProductPool.baseOut(forQuote: 1_000_000_000, base: c.baseTokens, quote: c.quoteLamports, fees: f) == 2_376_720_172_799)
    }
}

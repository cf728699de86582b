import SimCore
import Curves
import Ledger

/// Trades on a migrated token's PumpSwap pool: the platform routes a buy or sell there once the
/// curve has migrated, as pump.fun's client does. The client quotes the pool now (the SDK's
/// estimate) and sends the pool program's `buy(base_out, max_quote_in)` or
/// `sell(base_in, min_quote_out)` with its slippage; the program checks them when it lands.
extension Decide {
    static func isPool(_ m: MintID, _ world: UnsafePointer<World>) -> Bool {
        Int(m) < world.pointee.chain.mints.count && world.pointee.chain.mints[Int(m)].status == .migrated && world.pointee.chain.mints[Int(m)].pool != nil
    }

    /// Spend up to `lamports` (plus `slippage`) on the pool: base out from the SDK's estimate.
    static func poolBuy(_ w: AccountID, _ m: MintID, lamports: UInt64, slippage: UInt32, priority: UInt64, world: UnsafePointer<World>,
                        tick: Tick, rng: inout SimRandom, into out: inout [Event], recorded: Bool) {
        if let r = platformLimit(w, m, .buy, world: world, tick: tick) { return reject(w, m, .buy, r, into: &out) }
        let base = world.pointee.chain.mints[Int(m)].poolBaseOut(forLamports: lamports)
        guard base > 0, let q = try? world.pointee.chain.mints[Int(m)].quotePool(side: .buy, base: base) else {
            return reject(w, m, .buy, .insufficientLiquidity, into: &out)
        }
        let maxIn = Slippage.maxCost(lamports, bps: slippage)
        // The wallet needs what the swap costs now (as a curve buy needs its budget); the slippage
        // bound is only the most the program may take.
        submitTrade(w, m, .buy, .poolBuy(mint: m, baseOut: base, maxQuoteInLamports: maxIn), needLamports: q.userQuote,
                    priority: priority, world: world, tick: tick, rng: &rng, into: &out, recorded: recorded)
    }

    /// Buy exactly `tokens` from the pool, paying at most `maxCost`.
    static func poolBuy(_ w: AccountID, _ m: MintID, tokens: UInt64, maxCost: UInt64, priority: UInt64, world: UnsafePointer<World>,
                        tick: Tick, rng: inout SimRandom, into out: inout [Event], recorded: Bool) {
        if let r = platformLimit(w, m, .buy, world: world, tick: tick) { return reject(w, m, .buy, r, into: &out) }
        guard let q = try? world.pointee.chain.mints[Int(m)].quotePool(side: .buy, base: tokens) else {
            return reject(w, m, .buy, .insufficientLiquidity, into: &out)
        }
        guard q.userQuote <= maxCost else { return reject(w, m, .buy, .exceededSlippage, into: &out) }
        submitTrade(w, m, .buy, .poolBuy(mint: m, baseOut: tokens, maxQuoteInLamports: maxCost), needLamports: 0,
                    priority: priority, world: world, tick: tick, rng: &rng, into: &out, recorded: recorded)
    }

    /// Sell `tokens` into the pool, taking at least the quote less `slippage`.
    static func poolSell(_ w: AccountID, _ m: MintID, tokens: UInt64, slippage: UInt32, priority: UInt64, world: UnsafePointer<World>,
                         tick: Tick, rng: inout SimRandom, into out: inout [Event], recorded: Bool) {
        if let r = platformLimit(w, m, .sell, world: world, tick: tick) { return reject(w, m, .sell, r, into: &out) }
        guard let q = try? world.pointee.chain.mints[Int(m)].quotePool(side: .sell, base: tokens) else {
            return reject(w, m, .sell, .insufficientLiquidity, into: &out)
        }
        submitTrade(w, m, .sell, .poolSell(mint: m, baseIn: tokens, minQuoteOutLamports: Slippage.minOut(q.userQuote, bps: slippage)),
                    needLamports: 0, priority: priority, world: world, tick: tick, rng: &rng, into: &out, recorded: recorded)
    }

    private static func reject(_ w: AccountID, _ m: MintID, _ side: TradeSide, _ r: RejectReason, into out: inout [Event]) {
        out.append(.tradeRejected(TradeRejected(wallet: w, mint: m, side: side, reason: r)))
    }
}

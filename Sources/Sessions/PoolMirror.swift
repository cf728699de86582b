import SimCore
import Curves
import Ledger
import Engine

/// The PumpSwap pools' reserves as the published events leave them (for the live messages'
/// prices, which follow the events rather than the world): set by a migration, moved by swaps.
struct PoolMirror {
    private(set) var reserves: [Int: (base: UInt64, quote: UInt64)] = [:]

    mutating func observe(_ e: Event) {
        switch e {
        case .ledger(.curveMigrated(let m)): reserves[Int(m.mint)] = (m.baseTokens, m.quoteLamports)
        case .ledger(.poolTradeExecuted(let s)):
            guard var r = reserves[Int(s.mint)] else { return }
            if s.side == .buy { r.base &-= s.base; r.quote &+= s.rawQuote &+ s.lpFee } else { r.base &+= s.base; r.quote = r.quote &- s.rawQuote &+ s.lpFee }
            reserves[Int(s.mint)] = r
        default: break
        }
    }

    /// Spot price and market cap on the pool, if the token has one.
    func price(_ m: Int, supply: UInt64) -> (priceNanos: UInt64, marketCapLamports: UInt64)? {
        guard let r = reserves[m] else { return nil }
        return (ConstantProductPool.spotPriceNanos(base: r.base, quote: r.quote),
                UInt64(clamping: ConstantProductPool.marketCap(base: r.base, quote: r.quote, supply: supply)))
    }
}

import SimCore
import Curves
import Ledger

/// What a recorded trade asked for, so that the same intent can be replayed on another curve.
public enum StreamAction: Sendable, Hashable {
    /// The token's create transaction, with its initial buy (0 for none).
    case create(initialBuyLamports: UInt64)
    /// Spend this many lamports (fees included).
    case buySol(lamports: UInt64)
    /// Buy exactly this many tokens (base units).
    case buyTokens(tokens: UInt64)
    /// Sell this many tokens (base units).
    case sellTokens(tokens: UInt64)
    /// Sell `tokens` of a recorded holding of `held`: the same part of the holding the wallet has
    /// when the row is decided (`tokens × holding / held`, floor). On the curve that recorded it
    /// the holding is `held`, so exactly `tokens`; on another curve, the same fraction.
    case sellPart(tokens: UInt64, held: UInt64)
    /// Sell this share of the holding, bps.
    case sellShare(bps: UInt32)

    public var side: String {
        switch self {
        case .create: return "create"
        case .buySol, .buyTokens: return "buy"
        case .sellTokens, .sellShare, .sellPart: return "sell"
        }
    }
}

/// One row of a trade stream: decided at `tick`, landing in slot `landing` (in stream order).
public struct StreamTrade: Sendable, Hashable {
    public var tick: Tick
    public var landing: Tick
    /// Index into the stream's wallets.
    public var wallet: UInt32
    public var mint: MintID
    public var action: StreamAction
    public var slippageBps: UInt32
    /// Priority fee, micro-lamports per CU.
    public var priority: UInt64
    public init(tick: Tick, landing: Tick, wallet: UInt32, mint: MintID, action: StreamAction, slippageBps: UInt32, priority: UInt64) {
        self.tick = tick; self.landing = landing; self.wallet = wallet; self.mint = mint; self.action = action
        self.slippageBps = slippageBps; self.priority = priority
    }
}

/// A recorded trade flow as a scenario source. Its wallets get accounts after the recipient
/// pools; each trade is decided at its tick like any command (platform checks, preflight quote,
/// slippage) and, if submitted, lands in its recorded slot ahead of the block's other
/// transactions, in stream order: the history says when it landed, the curve decides the rest.
public struct TradeStream: Sendable, Hashable {
    /// Where it was read from (for messages and the resolved scenario).
    public var source: String
    /// Wallet names, in order of first appearance.
    public var wallets: [String]
    /// The trades, in landing order.
    public var trades: [StreamTrade]
    /// Starting balance of every stream wallet, lamports.
    public var balanceLamports: UInt64
    /// Account age of every stream wallet at the start, slots.
    public var accountAgeSlots: UInt64
    /// Per wallet: a starting balance its first row gave (`balance_sol`), else nil (the default).
    public var startBalances: [UInt64?]

    public init(source: String, wallets: [String], trades: [StreamTrade], balanceLamports: UInt64, accountAgeSlots: UInt64,
                startBalances: [UInt64?] = []) {
        self.source = source; self.wallets = wallets; self.trades = trades
        self.balanceLamports = balanceLamports; self.accountAgeSlots = accountAgeSlots
        self.startBalances = startBalances
    }

    /// The lamports stream wallet `i` starts with.
    public func startingLamports(_ i: Int) -> UInt64 { (i < startBalances.count ? startBalances[i] : nil) ?? balanceLamports }
}

extension SimulationConfig {
    /// Account id of the first stream wallet (after the recipient pools).
    public var streamFirstAccount: AccountID { poolFirstAccount(recipientPools.count) }
}

/// A stream row with names instead of ids: what files hold and what trace extraction produces.
public struct NamedStreamTrade: Sendable, Hashable {
    public var tick: Tick
    public var landing: Tick
    public var wallet: String
    public var token: String
    public var action: StreamAction
    /// nil: the scenario's default.
    public var slippageBps: UInt32?
    public var priority: UInt64?
    /// The wallet's starting balance, lamports (on a wallet's first row only; nil: the scenario's
    /// `trades.wallet_balance_sol`).
    public var balanceLamports: UInt64?
    public init(tick: Tick, landing: Tick, wallet: String, token: String, action: StreamAction, slippageBps: UInt32?, priority: UInt64?,
                balanceLamports: UInt64? = nil) {
        self.tick = tick; self.landing = landing; self.wallet = wallet; self.token = token; self.action = action
        self.slippageBps = slippageBps; self.priority = priority; self.balanceLamports = balanceLamports
    }
}

/// The intent behind a submitted trade transaction, recovered from the state its sender saw:
/// sells as a share of the holding when a whole-bps share gives exactly the tokens sold, and the
/// slippage tolerance (bps) that turns the preflight quote into the transaction's limit.
public enum StreamIntent {
    public static func recover(_ ins: Instruction, payer: AccountID, world: World) -> (mint: MintID, action: StreamAction, slippageBps: UInt32?)? {
        switch ins {
        case .create(let m, let initial):
            return (m, .create(initialBuyLamports: initial), nil)
        case .buyExactSolIn(let m, let spend, let minTokens):
            let q = try? world.chain.mints[Int(m)].curve.quoteBuy(spendable: spend, minTokensOut: 0)
            return (m, .buySol(lamports: spend), q.flatMap { invert(minTokens, from: $0.tokens, Slippage.minOut) })
        case .buyExactTokens(let m, let tokens, let maxCost):
            let q = try? world.chain.mints[Int(m)].curve.quoteBuy(tokens: tokens, maxSolCost: .max)
            return (m, .buyTokens(tokens: tokens), q.flatMap { invert(maxCost, from: $0.solTotal, Slippage.maxCost) })
        case .poolBuy(let m, let base, let maxIn):
            // The pool program takes a token amount and a most-to-pay; a client spending SOL
            // derived both from its budget and slippage. Find a budget and slippage that give
            // this very instruction on the pool as it is (so it replays to the same swap);
            // otherwise it is a token amount with a most-to-pay.
            let mint = world.chain.mints[Int(m)]
            if let (lamports, bps) = budget(giving: base, maxIn: maxIn, mint: mint) { return (m, .buySol(lamports: lamports), bps) }
            let q = try? mint.quotePool(side: .buy, base: base)
            return (m, .buyTokens(tokens: base), q.flatMap { invert(maxIn, from: $0.userQuote, Slippage.maxCost) })
        case .poolSell(let m, let tokens, let minSol):
            let q = try? world.chain.mints[Int(m)].quotePool(side: .sell, base: tokens)
            return (m, sellAction(tokens, held: world.chain.balance(of: payer, mint: m)), q.flatMap { invert(minSol, from: $0.userQuote, Slippage.minOut) })
        case .sell(let m, let tokens, let minSol):
            let held = world.chain.balance(of: payer, mint: m)
            // A whole-bps share when one gives exactly the tokens sold; else the tokens and the
            // holding they were part of (so that on another curve the same part is sold).
            var action = StreamAction.sellTokens(tokens: tokens)
            if held > 0 {
                let s = (UInt128(tokens) * 10_000 + UInt128(held) - 1) / UInt128(held)
                if s >= 1, s <= 10_000, UInt64(UInt128(held) * s / 10_000) == tokens {
                    action = .sellShare(bps: UInt32(s))
                } else if tokens <= held {
                    action = .sellPart(tokens: tokens, held: held)
                }
            }
            let q = try? world.chain.mints[Int(m)].curve.quoteSell(tokens: tokens, minSolOut: 0)
            return (m, action, q.flatMap { invert(minSol, from: $0.solTotal, Slippage.minOut) })
        default:
            return nil
        }
    }

    /// The smallest slippage (and the budget with it) for which `Slippage.maxCost(budget, bps)
    /// == maxIn` and the pool's estimate for the budget is `base`.
    static func budget(giving base: UInt64, maxIn: UInt64, mint: MintState) -> (UInt64, UInt32)? {
        for bps in UInt32(0)...10_000 {
            let guess = UInt64(UInt128(maxIn) * 10_000 / UInt128(10_000 + UInt64(bps)))
            for l in guess..<(guess > UInt64.max - 3 ? UInt64.max : guess + 3) where Slippage.maxCost(l, bps: bps) == maxIn && mint.poolBaseOut(forLamports: l) == base {
                return (l, bps)
            }
        }
        return nil
    }

    /// A sale of `tokens` out of `held` as a stream action (a share when one gives exactly it).
    static func sellAction(_ tokens: UInt64, held: UInt64) -> StreamAction {
        guard held > 0 else { return .sellTokens(tokens: tokens) }
        let s = (UInt128(tokens) * 10_000 + UInt128(held) - 1) / UInt128(held)
        if s >= 1, s <= 10_000, UInt64(UInt128(held) * s / 10_000) == tokens { return .sellShare(bps: UInt32(s)) }
        return tokens <= held ? .sellPart(tokens: tokens, held: held) : .sellTokens(tokens: tokens)
    }

    /// The smallest bps for which `limit(quoted, bps) == target`, if any (limit is monotone in bps).
    static func invert(_ target: UInt64, from quoted: UInt64, _ limit: (UInt64, UInt32) -> UInt64) -> UInt32? {
        let increasing = limit(quoted, 10_000) >= limit(quoted, 0)
        var lo: UInt32 = 0, hi: UInt32 = 10_000
        // First bps whose limit has reached the target (moving in the limit's direction).
        while lo < hi {
            let mid = (lo + hi) / 2
            let v = limit(quoted, mid)
            if increasing ? v >= target : v <= target { hi = mid } else { lo = mid + 1 }
        }
        return limit(quoted, lo) == target ? lo : nil
    }
}

import SimCore
import Curves
import Ledger
import Rewards
import CPrefetch

/// Per-token counters gathered from events.
public struct TokenMetrics: Sendable {
    public var buys: UInt64 = 0
    public var sells: UInt64 = 0
    /// Lamports traded, fees included.
    public var volumeLamports: UInt64 = 0
    public var protocolFeesLamports: UInt64 = 0
    public var creatorFeesLamports: UInt64 = 0
    /// The pool-migration fee the protocol took when the curve migrated.
    public var migrationFeeLamports: UInt64 = 0
    /// Tokens bought by transactions that landed in bundles.
    public var bundledTokensBought: UInt64 = 0
    /// Swaps on the token's PumpSwap pool after migration (also counted in buys and sells).
    public var poolTrades: UInt64 = 0
    /// LP fees those swaps left in the pool.
    public var poolLpFeesLamports: UInt64 = 0
    /// Rejections (platform, program, expiry, drops) by `RejectReason.rawValue`.
    public var rejected = [UInt64](repeating: 0, count: RejectReason.allCases.count)
    public var openTick: Tick?
    public var completeTick: Tick?
    public var launchRejected: RejectReason?
    public var peakPriceNanos: UInt64 = 0
    /// (tick, spot price in nanolamports per token) samples.
    public var pricePath: [(Tick, UInt64)] = []
    /// Lamports in the curve when it completed (the SOL raised).
    public var raisedAtCompletionLamports: UInt64?
    /// Trades refused on chain (landed, then failed), by `RejectReason.rawValue`; also in `rejected`.
    public var failedOnChain = [UInt64](repeating: 0, count: RejectReason.allCases.count)
    /// (window start tick, lamports traded) per price-sample window with trades.
    public var volumePath: [(Tick, UInt64)] = []
    /// Spot price after the last trade (before the next), nanolamports per token.
    public var lastSpotNanos: UInt64 = 0
    /// Largest fall from a running peak of the spot price, bps.
    public var maxDrawdownBps: UInt64 = 0
    /// Per trade-size bucket (`TradeBuckets`): trades, summed slippage and price impact (fractions
    /// of the spot price; reporting only, never part of the state).
    public var bucketTrades = [UInt64](repeating: 0, count: TradeBuckets.count)
    public var bucketSlippage = [Double](repeating: 0, count: TradeBuckets.count)
    public var bucketImpact = [Double](repeating: 0, count: TradeBuckets.count)
    /// Wallets whose buy landed in the first `earlyBuyerSlots` after trading opened (creator
    /// excluded), with what they spent and received on this token over the whole run.
    /// `earlyIndex[account]` is the wallet's place in these arrays, or -1.
    public var earlyAccounts: [AccountID] = []
    public var earlyIndex: [Int32] = []
    public var earlySpentLamports: [UInt64] = []
    public var earlyReceivedLamports: [UInt64] = []
    /// The spot price and volume per window of `Metrics.candleSlots` slots that had trades.
    public var candles: [Candle] = []

    public var rejectedTotal: UInt64 { rejected.reduce(0, +) }
}

/// One window of trading: the spot price before its first trade (open), its extremes and after
/// its last trade (close), nanolamports per token; lamports traded and trades.
public struct Candle: Sendable, Equatable {
    public var start: Tick
    public var open: UInt64
    public var high: UInt64
    public var low: UInt64
    public var close: UInt64
    public var volumeLamports: UInt64
    public var trades: UInt32
}

extension TokenMetrics {
    mutating func observeTrade(_ t: TradeExecuted, tick: Tick, spotAfter after: UInt64, creator: AccountID,
                               sampleEverySlots: UInt64, earlyBuyerSlots: UInt64, candleSlots: UInt64, accountCount: Int,
                               earlyMaybe: inout [UInt8]) {
        if t.side == .buy { buys += 1 } else { sells += 1 }
        let total = t.solTotal
        volumeLamports &+= total
        protocolFeesLamports &+= t.protocolFee
        creatorFeesLamports &+= t.creatorFee
        let before = lastSpotNanos
        peakPriceNanos = max(peakPriceNanos, after)
        // The fall in bps, in 64 bits when its product fits (the same quotient as in 128 bits).
        let fall = peakPriceNanos - min(after, peakPriceNanos)
        if fall > 0 {
            let bps = fall <= UInt64.max / 10_000 ? fall * 10_000 / peakPriceNanos
                : UInt64(UInt128(fall) * 10_000 / UInt128(peakPriceNanos))
            maxDrawdownBps = max(maxDrawdownBps, bps)
        }
        lastSpotNanos = after
        // Slippage: the average price paid or received against the spot price before the trade;
        // impact: how far the trade moved the spot price. Both before fees, in bps of the spot.
        if before > 0 && t.tokens > 0 {
            let b = Double(before)
            let exec = Double(t.curveSol) * 1e15 / Double(t.tokens)
            let k = TradeBuckets.index(ofLamports: total)
            bucketTrades[k] += 1
            bucketSlippage[k] += abs(exec - b) / b
            bucketImpact[k] += abs(Double(after) - b) / b
        }
        let candle = tick / candleSlots * candleSlots
        if let last = candles.last, last.start == candle {
            let i = candles.count - 1
            candles[i].high = max(last.high, after)
            candles[i].low = min(last.low, after)
            candles[i].close = after
            candles[i].volumeLamports &+= total
            candles[i].trades &+= 1
        } else {
            candles.append(Candle(start: candle, open: before, high: max(before, after), low: min(before, after), close: after,
                                  volumeLamports: total, trades: 1))
        }
        let window = tick / sampleEverySlots * sampleEverySlots
        if let last = volumePath.last, last.0 == window {
            volumePath[volumePath.count - 1].1 &+= total
        } else {
            volumePath.append((window, total))
        }
        // `earlyMaybe[wallet]` (shared by all tokens, one byte per account, so it stays in cache)
        // has bit `mint % 8` set once the wallet is early in a token of that residue: only then
        // is this token's (large, randomly read) `earlyIndex` looked at.
        let w = Int(t.wallet)
        if earlyMaybe.count < accountCount { earlyMaybe += repeatElement(0, count: accountCount - earlyMaybe.count) }
        let bit = UInt8(1) << UInt8(t.mint.rawValue % 8)
        let i = earlyMaybe[w] & bit != 0 && w < earlyIndex.count ? earlyIndex[w] : -1
        if i >= 0 {
            if t.side == .buy { earlySpentLamports[Int(i)] &+= total } else { earlyReceivedLamports[Int(i)] &+= total }
        } else if t.side == .buy, t.wallet != creator, let open = openTick, tick < open &+ earlyBuyerSlots {
            if earlyIndex.count < accountCount { earlyIndex += repeatElement(-1, count: accountCount - earlyIndex.count) }
            earlyMaybe[w] |= bit
            earlyIndex[Int(t.wallet)] = Int32(earlyAccounts.count)
            earlyAccounts.append(t.wallet)
            earlySpentLamports.append(total)
            earlyReceivedLamports.append(0)
        }
    }
}

/// Trade-size buckets for slippage and price impact, by lamports paid or received.
public enum TradeBuckets {
    /// Upper bounds (exclusive), lamports; the last bucket is open.
    public static let bounds: [UInt64] = [100_000_000, 1_000_000_000, 10_000_000_000]
    public static let labels = ["< 0.1 SOL", "0.1–1 SOL", "1–10 SOL", "≥ 10 SOL"]
    public static var count: Int { labels.count }
    @inlinable public static func index(ofLamports l: UInt64) -> Int {
        var i = 0
        while i < bounds.count && l >= bounds[i] { i += 1 }
        return i
    }
}

/// Chain-wide counters.
public struct ChainMetrics: Sendable {
    public var slots: UInt64 = 0
    public var submitted: UInt64 = 0
    /// Landed in a block (whatever the instruction did).
    public var landed: UInt64 = 0
    /// Landed but refused by the program.
    public var failed: UInt64 = 0
    public var expired: UInt64 = 0
    public var dropped: UInt64 = 0
    public var feesLamports: UInt64 = 0
    public var computeUnits: UInt64 = 0
    /// Slots that ended with transactions still waiting.
    public var congestedSlots: UInt64 = 0
    public var maxPending: UInt64 = 0
}

/// Standard versus compressed token accounts: what the token instructions cost.
public struct CompressionMetrics: Sendable {
    /// Standard airdrop transactions that went through, the accounts they paid, their rent and fees.
    public var standardTransactions: UInt64 = 0
    public var standardRecipients: UInt64 = 0
    public var standardRentLamports: UInt64 = 0
    public var standardFeesLamports: UInt64 = 0
    /// Compressed-token transactions that went through (airdrops, transfers, compress, decompress).
    public var compressedTransactions: UInt64 = 0
    /// Of those, airdrops, and the accounts (leaves) they created.
    public var compressedAirdropTransactions: UInt64 = 0
    public var compressedRecipients: UInt64 = 0
    public var compressedFeesLamports: UInt64 = 0
    public var compressedRentLamports: UInt64 = 0
    public var leavesAppended: UInt64 = 0
    public var leavesNullified: UInt64 = 0
    /// Token instructions refused on chain, by reason.
    public var failed = [UInt64](repeating: 0, count: RejectReason.allCases.count)
    /// Any token instruction seen (the summary shows the section only then).
    public var active: Bool { standardTransactions + compressedTransactions + failed.reduce(0, +) > 0 }
}

/// Everything a run summary reports, folded from the event stream (and so reproducible from a trace).
public struct Metrics: Sendable {
    public var tokens: [TokenMetrics]
    public var chain = ChainMetrics()
    public var environmentPricePaths: [[(Tick, UInt64)]] = []
    public var virtualTrades: UInt64 = 0
    public var virtualRejected: UInt64 = 0
    public var pointsAwarded: UInt64 = 0
    public var accruedLamports: UInt64 = 0
    public var claims: UInt64 = 0
    public var claimedLamports: UInt64 = 0
    public var claimsFailed: UInt64 = 0
    public var tierChanges: UInt64 = 0
    public var chats: UInt64 = 0
    public var launchesRequested: UInt64 = 0
    /// Platform-side rejections by reason (limits, preflight), all tokens.
    public var platformRejected = [UInt64](repeating: 0, count: RejectReason.allCases.count)
    public var compression = CompressionMetrics()
    /// Per account, which tokens (by mint % 8) it may be an early buyer of (see `TokenMetrics.observeTrade`).
    private var earlyMaybe: [UInt8] = []
    /// The last landed transaction and its fee (token instructions charge it to their kind).
    private var lastIncluded: (TxID, UInt64) = (.max, 0)

    /// Price samples are kept at most once per this many slots (the latest in each interval).
    public let sampleEverySlots: UInt64
    /// Buys landing this many slots after trading opened count as early.
    public let earlyBuyerSlots: UInt64
    /// Width of a price candle, slots (a run of N slots has at most `maxCandles` per token).
    public let candleSlots: UInt64
    public static let maxCandles: UInt64 = 240

    public init(tokenCount: Int, sampleEverySlots: UInt64 = 150, earlyBuyerSlots: UInt64 = 150, durationSlots: UInt64 = 0,
                initialSpotNanos: [UInt64] = []) {
        tokens = Array(repeating: TokenMetrics(), count: tokenCount)
        for (i, p) in initialSpotNanos.enumerated() where i < tokenCount {
            tokens[i].lastSpotNanos = p
            tokens[i].peakPriceNanos = p
        }
        self.sampleEverySlots = max(1, sampleEverySlots)
        self.earlyBuyerSlots = earlyBuyerSlots
        self.candleSlots = max(1, durationSlots / Self.maxCandles + (durationSlots % Self.maxCandles == 0 ? 0 : 1))
    }

    /// Bundles sent, landed and dropped (by reason), and the tips paid.
    public struct BundleCounts: Sendable, Equatable {
        public var submitted: UInt64 = 0, landed: UInt64 = 0, tipsLamports: UInt64 = 0
        public var dropped = [UInt64](repeating: 0, count: BundleDropped.Reason.allCases.count)
    }
    public var bundles = BundleCounts()
    /// The bundle each bundled transaction belongs to, and a pending bundle's buys (mint, tokens).
    private var bundleOfTx: [TxID: UInt32] = [:]
    private var bundleBuys: [UInt32: [(Int, UInt64)]] = [:]

    /// Per multisig: proposals, approvals, executions, expiries and refusals by reason.
    public struct MultisigCounts: Sendable, Equatable {
        public var proposals: UInt64 = 0, approvals: UInt64 = 0, executed: UInt64 = 0, expired: UInt64 = 0
        public var refused = [UInt64](repeating: 0, count: MultisigRefusal.allCases.count)
    }
    public var multisigs: [MultisigCounts] = []

    /// Counts into multisig `g`'s entry, grown on first use.
    private mutating func multisig(_ g: UInt32, _ body: (inout MultisigCounts) -> Void) {
        while multisigs.count <= Int(g) { multisigs.append(MultisigCounts()) }
        body(&multisigs[Int(g)])
    }

    /// The metrics a run of `config` keeps (a run and a replay of its trace fold the same).
    public init(config: SimulationConfig) {
        self.init(tokenCount: config.tokens.count, sampleEverySlots: config.priceSampleEverySlots, earlyBuyerSlots: config.earlyBuyerSlots,
                  durationSlots: config.durationTicks, initialSpotNanos: config.tokens.map(\.curve.spotPriceNanos))
    }

    /// Hints that a trade of `account` in `mint` will be observed soon (no effect on results).
    @inline(__always)
    func prefetchTrade(_ account: AccountID, mint: MintID) {
        let m = Int(mint), w = Int(account)
        guard m < tokens.count else { return }
        earlyMaybe.withUnsafeBufferPointer { if w < $0.count { pumpsim_prefetch($0.baseAddress! + w) } }
        // The token's array is read through its address (a buffer pointer's lifetime fix retained it).
        if w < tokens[m].earlyIndex.count, let base = Chain.hintBase(tokens[m].earlyIndex) { pumpsim_prefetch(base + w * MemoryLayout<Int32>.stride) }
    }

    /// The second stage of `prefetchTrade`, a few transactions later: the wallet's early-buyer
    /// entry hinted then has arrived, and names the totals the trade will add to (no effect on results).
    @inline(__always)
    func prefetchEarlyTotals(_ account: AccountID, mint: MintID) {
        let m = Int(mint), w = Int(account)
        guard m < tokens.count, w < earlyMaybe.count, earlyMaybe[w] & (UInt8(1) << UInt8(mint.rawValue % 8)) != 0,
              w < tokens[m].earlyIndex.count else { return }
        let i = Int(tokens[m].earlyIndex[w])
        guard i >= 0 else { return }
        if let base = Chain.hintBase(tokens[m].earlySpentLamports) { pumpsim_prefetch(base + i * MemoryLayout<UInt64>.stride) }
        if let base = Chain.hintBase(tokens[m].earlyReceivedLamports) { pumpsim_prefetch(base + i * MemoryLayout<UInt64>.stride) }
    }

    /// Folds an event in; `world` is the state after the event.
    public mutating func observe(_ r: EventRecord, world: World) {
        withUnsafePointer(to: world) { observe(r, worldAt: $0) }
    }

    /// The same, with the world read through a pointer: passed by value, the 768-byte world was
    /// copied on every event (the engine's hot path calls this with its own world's address).
    mutating func observe(_ r: EventRecord, worldAt world: UnsafePointer<World>) {
        switch r.event {
        case .ledger(let e): observeLedger(e, tick: r.tick, world: world)
        case .rewards(let e):
            switch e {
            case .pointsAwarded(let p): pointsAwarded &+= p.points; accruedLamports &+= p.accruedLamports
            case .tierChanged: tierChanges += 1
            case .rewardsClaimed(let c): claims += 1; claimedLamports &+= c.lamports
            }
        case .launchRequested: launchesRequested += 1
        case .launchRejected(let e): tokens[Int(e.mint)].launchRejected = e.reason
        case .environmentCreated(let e):
            environmentPricePaths.append([(r.tick, world.pointee.environments[Int(e.environment)].curve.spotPriceNanos)])
        case .tradingOpened(let e):
            tokens[Int(e.mint)].openTick = r.tick
            samplePrice(e.mint, tick: r.tick, world: world)
        case .tradeRejected(let e):
            tokens[Int(e.mint)].rejected[Int(e.reason.rawValue)] += 1
            platformRejected[Int(e.reason.rawValue)] += 1
        case .claimFailed: claimsFailed += 1
        case .chatPosted: chats += 1
        case .virtualJoined: break
        case .virtualTradeExecuted(let e):
            virtualTrades += 1
            let sample = (r.tick, world.pointee.environments[Int(e.environment)].curve.spotPriceNanos)
            let i = Int(e.environment)
            if environmentPricePaths[i].count > 1, let last = environmentPricePaths[i].last,
               last.0 / sampleEverySlots == r.tick / sampleEverySlots {
                environmentPricePaths[i][environmentPricePaths[i].count - 1] = sample
            } else {
                environmentPricePaths[i].append(sample)
            }
        case .virtualTradeRejected: virtualRejected += 1
        case .bundleSubmitted(let b):
            bundles.submitted += 1
            for id in b.firstTx..<(b.firstTx + UInt64(b.count)) { bundleOfTx[id] = b.bundle }
        case .bundleLanded(let b):
            bundles.landed += 1
            for (m, bought) in bundleBuys.removeValue(forKey: b.bundle) ?? [] { tokens[m].bundledTokensBought &+= bought }
        case .bundleDropped(let b):
            bundles.dropped[Int(b.reason.rawValue)] += 1
            bundleBuys.removeValue(forKey: b.bundle)
        case .proposalCreated(let e): multisig(e.multisig) { $0.proposals += 1 }
        case .proposalApproved(let e): multisig(e.multisig) { $0.approvals += 1 }
        case .proposalExecuted(let e): multisig(e.multisig) { $0.executed += 1 }
        case .proposalExpired(let e): multisig(e.multisig) { $0.expired += 1 }
        case .proposalRefused(let e): multisig(e.multisig) { $0.refused[Int(e.reason.rawValue)] += 1 }
        case .slotEnded(let e):
            chain.slots += 1
            chain.computeUnits &+= e.computeUnits
            if e.pending > 0 { chain.congestedSlots += 1 }
            chain.maxPending = max(chain.maxPending, UInt64(e.pending))
        case .inputReceived: break
        }
    }

    private mutating func observeLedger(_ e: LedgerEvent, tick: Tick, world: UnsafePointer<World>) {
        switch e {
        case .txSubmitted: chain.submitted += 1
        case .txDropped(let d):
            chain.dropped += 1
            if let m = d.mint { tokens[Int(m)].rejected[Int(d.reason.rawValue)] += 1 }
        case .txIncluded(let i): chain.landed += 1; chain.feesLamports &+= i.feeLamports; lastIncluded = (i.txID, i.feeLamports)
        case .txExpired(let x):
            chain.expired += 1
            if let m = x.mint { tokens[Int(m)].rejected[Int(RejectReason.expired.rawValue)] += 1 }
        case .tradeExecuted(let t):
            observeTrade(t, tick: tick, world: world)
            if !bundleOfTx.isEmpty, let b = bundleOfTx.removeValue(forKey: t.txID), t.side == .buy { bundleBuys[b, default: []].append((Int(t.mint), t.tokens)) }
        case .tipPaid(let t): bundles.tipsLamports &+= t.lamports
        case .poolTradeExecuted(let p):
            // A swap counts as a trade of the token (volume, prices, early buyers' returns), with
            // the pool side's amount as the curve amount: raw plus the LP fee in, raw less it out.
            let m = Int(p.mint)
            tokens[m].poolTrades += 1
            tokens[m].poolLpFeesLamports &+= p.lpFee
            let poolSide = p.side == .buy ? p.rawQuote &+ p.lpFee : p.rawQuote &- p.lpFee
            observeTrade(TradeExecuted(txID: p.txID, wallet: p.wallet, mint: p.mint, side: p.side, tokens: p.base, curveSol: poolSide,
                                       protocolFee: p.protocolFee, creatorFee: p.creatorFee, rentLamports: p.rentLamports), tick: tick, world: world)
        case .tradeFailed(let f):
            chain.failed += 1
            tokens[Int(f.mint)].rejected[Int(f.reason.rawValue)] += 1
            tokens[Int(f.mint)].failedOnChain[Int(f.reason.rawValue)] += 1
        case .createFailed(let f):
            chain.failed += 1
            tokens[Int(f.mint)].launchRejected = f.reason
        case .curveCompleted(let c):
            tokens[Int(c.mint)].completeTick = tick
            tokens[Int(c.mint)].raisedAtCompletionLamports = world.pointee.chain.mints[Int(c.mint)].curve.state.realSol
            samplePrice(c.mint, tick: tick, world: world)
        case .curveMigrated(let c): tokens[Int(c.mint)].migrationFeeLamports &+= c.migrationFeeLamports
        case .tokenCreated, .transfer: break
        case .tokensAirdropped(let a):
            compression.standardTransactions += 1
            compression.standardRecipients += UInt64(a.count)
            compression.standardRentLamports &+= a.rentLamports
            if lastIncluded.0 == a.txID { compression.standardFeesLamports &+= lastIncluded.1 }
        case .compressedTokensMoved(let c):
            compression.compressedTransactions += 1
            if c.inputs.isEmpty && c.fromStandard > 0 && c.firstRecipient != c.payer {
                compression.compressedAirdropTransactions += 1
                compression.compressedRecipients += UInt64(c.recipients)
            }
            compression.leavesAppended += UInt64(c.outputCount)
            compression.leavesNullified += UInt64(c.inputs.count)
            compression.compressedRentLamports &+= c.rentLamports
            if lastIncluded.0 == c.txID { compression.compressedFeesLamports &+= lastIncluded.1 }
        case .tokenInstructionFailed(let f):
            chain.failed += 1
            compression.failed[Int(f.reason.rawValue)] += 1
        }
    }

    private mutating func observeTrade(_ t: TradeExecuted, tick: Tick, world: UnsafePointer<World>) {
        // In place (a mutating call on the element): copying the token's metrics out and back
        // would copy its arrays on every trade. The two fields, not the whole mint state.
        // The chain's fields read before the call (read in its arguments, the chain was copied, 496 bytes).
        let m = Int(t.mint)
        let spot = world.pointee.chain.mints[m].spotPriceNanos, creator = world.pointee.chain.mints[m].creator
        let accounts = world.pointee.chain.accountCount
        tokens[m].observeTrade(t, tick: tick, spotAfter: spot, creator: creator,
                               sampleEverySlots: sampleEverySlots, earlyBuyerSlots: earlyBuyerSlots,
                               candleSlots: candleSlots, accountCount: accounts, earlyMaybe: &earlyMaybe)
    }

    mutating func samplePrice(_ m: MintID, tick: Tick, world: UnsafePointer<World>) {
        tokens[Int(m)].pricePath.append((tick, world.pointee.chain.mints[Int(m)].spotPriceNanos))
    }

    /// End-of-tick sampling of every trading curve's price.
    public mutating func endTick(_ tick: Tick, world: World, sampleEvery: UInt64) {
        guard sampleEvery > 0, tick % sampleEvery == 0 else { return }
        withUnsafePointer(to: world) { w in
            for m in tokens.indices where World.isTradable(MintID(m), at: w) { samplePrice(MintID(m), tick: tick, world: w) }
        }
    }
}

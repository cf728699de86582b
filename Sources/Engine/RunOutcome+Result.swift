import SimCore
import Curves
import Ledger

extension RunOutcome {
    /// The outcome of a finished run (or of a trace replayed into a `RunResult`).
    public init(_ r: RunResult) {
        let c = r.config, m = r.metrics, world = r.world
        scenario = c.name
        seed = c.seed
        slotMillis = c.clock.slotMillis
        durationSlots = c.durationTicks
        agents = UInt64(c.agentCount)
        tokens = c.tokens.indices.map { TokenOutcome(r, mint: $0) }
        chain = ChainOutcome(slots: m.chain.slots, submitted: m.chain.submitted, landed: m.chain.landed, failed: m.chain.failed,
                             expired: m.chain.expired, dropped: m.chain.dropped, feesLamports: m.chain.feesLamports,
                             computeUnits: m.chain.computeUnits, congestedSlots: m.chain.congestedSlots, maxPending: m.chain.maxPending,
                             rentLockedLamports: world.chain.rentLockedLamports)
        compression = m.compression.active || world.chain.compressed.touched ? CompressionOutcome(r) : nil
        bundles = m.bundles.submitted == 0 ? nil : BundleOutcome(
            submitted: m.bundles.submitted, landed: m.bundles.landed,
            dropped: BundleDropped.Reason.allCases.compactMap { r in m.bundles.dropped[Int(r.rawValue)] > 0 ? TokenOutcome.Count(label: r.description, count: m.bundles.dropped[Int(r.rawValue)]) : nil },
            tipsLamports: m.bundles.tipsLamports)
        if m.bundles.submitted > 0 { for i in tokens.indices { tokens[i].bundledTokens = m.tokens[i].bundledTokensBought } }
        multisigs = c.multisigs.isEmpty ? nil : c.multisigs.indices.map { g in
            let counts = g < m.multisigs.count ? m.multisigs[g] : Metrics.MultisigCounts()
            let mine = world.proposals.filter { $0.multisig == UInt32(g) }
            return MultisigOutcome(name: c.multisigs[g].name, threshold: c.multisigs[g].threshold, signers: UInt32(c.multisigs[g].signers.count),
                                   proposals: counts.proposals, approvals: counts.approvals, executed: counts.executed, expired: counts.expired,
                                   pending: UInt64(mine.filter { $0.status == .pending }.count),
                                   refused: MultisigRefusal.allCases.compactMap { r in
                                       counts.refused[Int(r.rawValue)] > 0 ? TokenOutcome.Count(label: r.description, count: counts.refused[Int(r.rawValue)]) : nil },
                                   treasuryLamports: world.chain.lamports[Int(c.multisigVaultAccount(g))])
        }
        rewards = RewardsOutcome(r)
        environments = world.environments.indices.map { i in
            let env = world.environments[i]
            return EnvironmentOutcome(id: UInt64(env.id), token: c.tokens[Int(env.mint)].symbol, participants: UInt64(env.participants.count),
                                      trades: env.trades, finalPriceNanos: env.curve.spotPriceNanos, playLamportsInCurve: env.curve.state.realSol,
                                      pricePath: m.environmentPricePaths[i].map { [$0.0, $0.1] })
        }
        rateLimited = m.platformRejected[Int(RejectReason.rateLimited.rawValue)]
        accountTooNew = m.platformRejected[Int(RejectReason.accountTooNew.rawValue)]
        chatMessages = m.chats
        events = r.eventCount
        checkpoints = r.checkpoints.map { CheckpointOutcome(tick: $0.tick, eventIndex: $0.eventIndex, digest: $0.digest.hex) }
    }

    /// The outcomes without the price windows (what a sweep row stores: a run's report draws
    /// them, a sweep's does not, and they are most of the bytes).
    public var withoutCandles: RunOutcome {
        var o = self
        for i in o.tokens.indices { o.tokens[i].candles = nil; o.tokens[i].candleSlots = nil }
        return o
    }

    /// Counts by reason name, in the reasons' order, leaving out zeros.
    static func counts(_ byReason: [UInt64]) -> [TokenOutcome.Count] {
        RejectReason.allCases.filter { byReason[Int($0.rawValue)] > 0 }.map { .init(label: $0.description, count: byReason[Int($0.rawValue)]) }
    }
}

extension RewardsOutcome {
    init(_ r: RunResult) {
        let m = r.metrics
        let users = r.world.rewards.usersPerTier(firstUser: SimulationConfig.firstWalletAccount, population: r.world.chain.accountCount)
        tiers = r.config.rewards.tiers.enumerated().map { Tier(name: $0.element.name, minPoints: $0.element.minPoints, users: UInt64(users[$0.offset])) }
        pointsAwarded = m.pointsAwarded
        tierChanges = m.tierChanges
        accruedLamports = m.accruedLamports
        claims = m.claims
        claimedLamports = m.claimedLamports
        claimsFailed = m.claimsFailed
    }
}

extension CompressionOutcome {
    init(_ r: RunResult) {
        let c = r.metrics.compression, cfg = r.config.chain.stateTree, tree = r.world.chain.compressed.tree
        treeDepth = UInt64(cfg.depth)
        treeBuffer = UInt64(cfg.bufferSize)
        treeCanopy = UInt64(cfg.canopyDepth)
        treeRootHistory = UInt64(cfg.rootHistory)
        treeRoot = tree.root.description
        treeLeaves = UInt64(tree.nextIndex)
        treeSequence = tree.sequenceNumber
        treeAccountBytes = cfg.accountBytes
        treeRentLamports = StateTreeConfig.rentExempt(bytes: cfg.accountBytes)
        standard = Side(accounts: c.standardRecipients, transactions: c.standardTransactions, rentLamports: c.standardRentLamports,
                        feesLamports: c.standardFeesLamports)
        compressed = Side(accounts: c.compressedRecipients, transactions: c.compressedAirdropTransactions, rentLamports: treeRentLamports,
                          feesLamports: c.compressedFeesLamports)
        compressedTransactions = c.compressedTransactions
        leavesAppended = c.leavesAppended
        leavesNullified = c.leavesNullified
        decompressRentLamports = c.compressedRentLamports
        failed = RunOutcome.counts(c.failed)
    }
}

extension TokenOutcome {
    static let holderBounds: [UInt64] = [1_000, 10_000, 100_000, 1_000_000, 10_000_000]
    static let holderLabels = ["< 1k", "1k–10k", "10k–100k", "100k–1M", "1M–10M", "≥ 10M"]

    init(_ r: RunResult, mint m: Int) {
        let tm = r.metrics.tokens[m]
        let spec = r.config.tokens[m]
        let mint = r.world.chain.mints[m]
        let launched = tm.openTick != nil
        symbol = spec.symbol
        name = spec.name
        curveFamily = spec.curve.familyName
        feeProfile = spec.curve.feeProfile.name
        launchRejected = tm.launchRejected?.description
        openTick = tm.openTick
        graduationTick = tm.completeTick
        if let done = tm.completeTick, let open = tm.openTick {
            graduationSlots = done - min(done, open)
            graduationMillis = graduationSlots! &* r.config.clock.slotMillis
        }
        solRaisedLamports = tm.raisedAtCompletionLamports ?? mint.curve.state.realSol
        finalPriceNanos = launched ? mint.spotPriceNanos : 0
        startPriceNanos = launched ? (tm.pricePath.first?.1 ?? 0) : 0
        peakPriceNanos = launched ? max(tm.peakPriceNanos, mint.spotPriceNanos) : 0
        marketCapLamports = launched ? mint.marketCapLamports : 0
        maxDrawdownBps = tm.maxDrawdownBps
        protocolFeesLamports = tm.protocolFeesLamports &+ tm.migrationFeeLamports
        migrationFeeLamports = tm.migrationFeeLamports
        creatorFeesLamports = tm.creatorFeesLamports
        buys = tm.buys
        sells = tm.sells
        volumeLamports = tm.volumeLamports
        buckets = TradeBuckets.labels.indices.map { k in
            let n = tm.bucketTrades[k]
            return Bucket(label: TradeBuckets.labels[k], trades: n,
                          avgSlippagePct: n == 0 ? 0 : tm.bucketSlippage[k] / Double(n) * 100,
                          avgImpactPct: n == 0 ? 0 : tm.bucketImpact[k] / Double(n) * 100)
        }
        earlyBuyerSlots = r.metrics.earlyBuyerSlots
        earlyBuyers = UInt64(tm.earlySpentLamports.count)
        earlySpentLamports = tm.earlySpentLamports.reduce(UInt64(0), &+)
        earlyReceivedLamports = tm.earlyReceivedLamports.reduce(UInt64(0), &+)
        let holdings = Self.holdings(r, mint: m)
        if earlySpentLamports > 0 {
            // What early buyers got back, plus what they still hold at the final price.
            var value = UInt128(earlyReceivedLamports)
            let spot = UInt128(mint.spotPriceNanos)
            for a in tm.earlyAccounts { value += UInt128(Self.balance(r, account: a, mint: m)) * spot / 1_000_000_000_000_000 }
            earlyBuyerReturnPct = (Double(value) / Double(earlySpentLamports) - 1) * 100
        }
        holders = UInt64(holdings.count)
        gini = HolderStats.gini(ascending: holdings)
        top10ShareBps = HolderStats.topShareBps(ascending: holdings, top: 10)
        var histogram = [UInt64](repeating: 0, count: Self.holderLabels.count)
        for b in holdings {
            let whole = b / 1_000_000
            var k = 0
            while k < Self.holderBounds.count && whole >= Self.holderBounds[k] { k += 1 }
            histogram[k] += 1
        }
        holderHistogram = Self.holderLabels.indices.map { Count(label: Self.holderLabels[$0], count: histogram[$0]) }
        rejected = RunOutcome.counts(tm.rejected)
        failedOnChain = RunOutcome.counts(tm.failedOnChain)
        pricePath = tm.pricePath.map { [$0.0, $0.1] }
        volumePath = tm.volumePath.map { [$0.0, $0.1] }
        candles = tm.candles.map { [$0.start, $0.open, $0.high, $0.low, $0.close, $0.volumeLamports, UInt64($0.trades)] }
        candleSlots = r.metrics.candleSlots
        pool = mint.pool.map { Pool(baseTokens: $0.baseTokens, quoteLamports: $0.quoteLamports, trades: tm.poolTrades, lpFeesLamports: tm.poolLpFeesLamports) }
    }

    /// An account's tokens of the mint, standard and compressed.
    static func balance(_ r: RunResult, account a: AccountID, mint m: Int) -> UInt64 {
        r.world.chain.balance(of: a, mint: MintID(m)) &+ r.world.chain.compressed.balance(of: a, mint: MintID(m))
    }

    /// Every positive holding of the mint (standard and compressed), ascending.
    static func holdings(_ r: RunResult, mint m: Int) -> [UInt64] {
        var held: [UInt64] = []
        let compressed = r.world.chain.compressed.touched
        for a in 0..<r.world.chain.accountCount {
            var b = r.world.chain.balance(of: AccountID(a), mint: MintID(m))
            if compressed { b &+= r.world.chain.compressed.balance(of: AccountID(a), mint: MintID(m)) }
            if b > 0 { held.append(b) }
        }
        held.sort()
        return held
    }
}

/// Concentration of holdings.
public enum HolderStats {
    /// The Gini coefficient of `x` (sorted ascending, non-negative): 0 when everyone holds the
    /// same, (n−1)/n when one holds everything. G = 2·Σ i·x_i / (n·Σ x_i) − (n+1)/n, i from 1.
    public static func gini(ascending x: [UInt64]) -> Double {
        guard x.count > 1 else { return 0 }
        var total = 0.0, weighted = 0.0
        for (i, v) in x.enumerated() {
            total += Double(v)
            weighted += Double(i + 1) * Double(v)
        }
        guard total > 0 else { return 0 }
        let n = Double(x.count)
        return 2 * weighted / (n * total) - (n + 1) / n
    }

    /// The largest `top` holdings' share of all holdings, bps, floor (`x` sorted ascending).
    public static func topShareBps(ascending x: [UInt64], top: Int) -> UInt64 {
        let total = x.reduce(UInt128(0)) { $0 + UInt128($1) }
        guard total > 0 else { return 0 }
        let largest = x.suffix(top).reduce(UInt128(0)) { $0 + UInt128($1) }
        return UInt64(largest * 10_000 / total)
    }
}

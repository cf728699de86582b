import SimCore
import Curves
import Ledger
import Rewards
import Merkle
import CPrefetch

/// `evolve` met an event that does not fit the state: a bug, or a trace from elsewhere.
public indirect enum EvolveError: Error, Equatable, Sendable, CustomStringConvertible {
    case ledger(LedgerError)
    case arithmetic(ArithmeticError)
    case curve(CurveError)
    case inconsistent(String)
    /// Which event it was: its index, tick and type.
    case event(seq: UInt64, tick: Tick, type: String, EvolveError)
    /// An invariant broke (`World.checksInvariants`): the violation names the event.
    case invariant(InvariantViolation)

    /// The violated invariant, if that is what this is.
    public var violation: InvariantViolation? {
        switch self {
        case .invariant(let v): return v
        case .event(_, _, _, let e): return e.violation
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .ledger(let e): return "ledger: \(e)"
        case .arithmetic(let e): return "\(e)"
        case .curve(let e): return "curve: \(e)"
        case .inconsistent(let s): return s
        case .event(let seq, let tick, let type, let e): return "event \(seq) (tick \(tick), \(type)): \(e)"
        case .invariant(let v): return "\(v)"
        }
    }
}

/// The whole simulated state that events build: the chain, rewards, launches, virtual
/// environments and rate-limit windows. Its canonical encoding is what checkpoints digest.
///
/// Agent memory and PRNG positions are not here: they belong to `decide`, which a replay does not run.
public struct World: Sendable, CanonicallyEncodable {
    /// Tick of the last event folded in.
    public private(set) var tick: Tick = 0
    public private(set) var chain: Chain
    public private(set) var rewards: RewardsState
    public let limits: LimitsConfig
    /// Per mint: a launch was requested.
    public private(set) var launchRequested: [Bool]
    /// Per mint: the tick trading opened, or `Tick.max`.
    public private(set) var openTick: [Tick]
    public private(set) var environments: [VirtualEnvironment] = []
    /// Bundles sent this slot, waiting for its block; the next bundle's id (digested once one was sent).
    public private(set) var pendingBundles: [PendingBundle] = []
    public private(set) var nextBundleID: UInt32 = 0
    /// Multisig proposals in creation order (digested once there is one).
    public private(set) var proposals: [Proposal] = []
    /// Proposal `n` of multisig `g`.
    public func proposal(_ g: UInt32, _ n: UInt32) -> Proposal? {
        var k: UInt32 = 0
        for p in proposals where p.multisig == g { if k == n { return p }; k += 1 }
        return nil
    }
    private func proposalIndex(_ g: UInt32, _ n: UInt32) -> Int? {
        var k: UInt32 = 0
        for (i, p) in proposals.enumerated() where p.multisig == g { if k == n { return i }; k += 1 }
        return nil
    }
    /// Signers of each multisig (for checking approvals), from the config.
    private var multisigSigners: [[AccountID]] = []
    /// Per mint: index of its newest environment, or -1.
    public private(set) var latestEnvironment: [Int32]
    /// Per account: rate-limit window index and trades submitted in it, side by side (two
    /// arrays put two cache misses on every trade decision and submission).
    public private(set) var rate: [RateWindow]
    public struct RateWindow: Sendable, Equatable {
        public var window: UInt64
        public var count: UInt32
    }
    /// The id the next submitted transaction gets.
    public private(set) var nextTxID: TxID = 0
    public private(set) var chatMessages: UInt64 = 0
    /// The last slot that ended and the transactions landed since (checks only: not digested,
    /// they are implied by the events).
    private var lastSlotEnded: Tick?
    private var landedThisSlot: UInt32 = 0
    /// Check every invariant after every event (`Invariants.swift`): always in debug builds,
    /// in release when asked (`--check-invariants`). Not digested.
    public var checksInvariants: Bool = World.checksInvariantsByDefault
    /// What genesis funded (checks only; implied by the scenario, not digested).
    public private(set) var genesisLamports: UInt128 = 0
    public private(set) var genesisVaultLamports: UInt64 = 0
    /// Per mint: the tokens its curve had for sale at genesis.
    public private(set) var genesisTokens: [UInt64] = []
    /// Rewards claimed so far (checks only; the per-user claims are digested).
    public private(set) var claimedTotal: UInt64 = 0
    /// Compute units landed this slot per write-lock lane (checks only).
    var laneComputeUnits: [UInt64] = []

    #if DEBUG
    public static let checksInvariantsByDefault = true
    #else
    public static let checksInvariantsByDefault = false
    #endif

    /// The genesis state of a scenario: accounts funded from the seed, mints declared, vault funded.
    public init(config: SimulationConfig, indexing: Bool = true) throws(ArithmeticError) {
        var chain = Chain(config: config.chain, indexing: indexing)
        try chain.fund(Chain.rewardsVault, lamports: config.rewards.vaultLamports)
        let root = SimRandom(seed: config.seed)
        for w in config.wallets {
            chain.openAccount(lamports: w.balanceLamports, bornTick: -Int64(clamping: w.accountAgeSlots))
        }
        for group in config.groups {
            var rng = root.substream(named: "genesis/group/\(group.name)")
            for _ in 0..<group.count {
                let balance = group.balanceLamports.draw(&rng)
                let age = group.accountAgeSlots.draw(&rng)
                chain.openAccount(lamports: balance, bornTick: -Int64(clamping: age))
            }
        }
        for pool in config.recipientPools {
            for _ in 0..<pool.count { chain.openAccount(lamports: 0, bornTick: 0) }
        }
        if let stream = config.stream {
            for i in stream.wallets.indices {
                chain.openAccount(lamports: stream.startingLamports(i), bornTick: -Int64(clamping: stream.accountAgeSlots))
            }
        }
        for m in config.multisigs { chain.openAccount(lamports: m.balanceLamports, bornTick: 0) }
        for t in config.tokens { chain.declareMint(curve: t.curve) }
        self.chain = chain
        self.multisigSigners = config.multisigs.map(\.signers)
        self.rewards = RewardsState(config: config.rewards)
        self.limits = config.limits
        self.launchRequested = Array(repeating: false, count: config.tokens.count)
        self.openTick = Array(repeating: Tick.max, count: config.tokens.count)
        self.latestEnvironment = Array(repeating: -1, count: config.tokens.count)
        self.rate = Array(repeating: RateWindow(window: .max, count: 0), count: chain.accountCount)
        self.genesisLamports = chain.lamports.reduce(UInt128(0)) { $0 + UInt128($1) }
        self.genesisVaultLamports = chain.lamports[Int(Chain.rewardsVault)]
        self.genesisTokens = chain.mints.map(\.curve.state.realToken)
    }

    /// True once the mint's trading has opened: on its curve, then on its pool once it migrates.
    @inlinable public func isTradable(_ m: MintID) -> Bool {
        withUnsafePointer(to: self) { Self.isTradable(m, at: $0) }
    }

    /// `isTradable` for a reader that holds the world's address (`Decide`, `Metrics`): the method
    /// called through `pointee` copied and retained the whole world; fields read through it do not.
    @inlinable @inline(__always)
    public static func isTradable(_ m: MintID, at w: UnsafePointer<World>) -> Bool {
        w.pointee.openTick[Int(m)] != Tick.max && w.pointee.chain.mints[Int(m)].status != .pending
    }

    /// Lamports selling `tokens` would give now (the curve's or the pool's quote), nil if none.
    public func sellValueLamports(_ m: MintID, tokens: UInt64) -> UInt64? {
        let mint = chain.mints[Int(m)]
        if mint.status == .migrated { return (try? mint.quotePool(side: .sell, base: tokens))?.userQuote }
        return (try? mint.curve.quoteSell(tokens: tokens, minSolOut: 0))?.solTotal
    }

    /// Hints that the wallet's rate window will be read soon (no effect on results).
    @inline(__always) func prefetchRateWindow(_ a: AccountID) {
        guard limits.maxTradesPerWindow > 0, Int(a) < rate.count else { return }
        rate.withUnsafeBufferPointer { pumpsim_prefetch($0.baseAddress! + Int(a)) }
    }

    /// Trades the wallet has submitted in the current rate window.
    public func tradesInWindow(_ a: AccountID, at tick: Tick) -> UInt32 {
        withUnsafePointer(to: self) { Self.tradesInWindow(a, at: tick, in: $0) }
    }

    /// `tradesInWindow` through the world's address (see `isTradable(_:at:)`).
    @inline(__always)
    static func tradesInWindow(_ a: AccountID, at tick: Tick, in w: UnsafePointer<World>) -> UInt32 {
        guard w.pointee.limits.maxTradesPerWindow > 0 else { return 0 }
        let r = w.pointee.rate[Int(a)]
        return r.window == tick / w.pointee.limits.windowSlots ? r.count : 0
    }

    /// Picks the slot's block from the mempool's priority index. Touches only the index: the
    /// transactions leave the pending set through their `txIncluded`/`txDropped` events.
    public mutating func packBlock(into selected: inout [Transaction]) {
        chain.mempool.packBlock(config: chain.config, into: &selected)
    }

    /// Keeps the transaction that will be submitted with this id out of block packing: it lands
    /// in a slot chosen by its caller (a recorded trade stream). Index only, like `packBlock`.
    public mutating func holdFromPacking(_ id: TxID) {
        chain.mempool.hold(id)
    }

    /// The landed transaction's events against the chain now (`Chain.execute`: reads only). Here,
    /// through the chain's address: the harness's call on `world.chain` copied the chain per transaction.
    @inline(__always)
    mutating func execute(_ tx: Transaction, into events: inout [LedgerEvent]) {
        chain.execute(tx, into: &events)
    }

    // MARK: evolve

    /// The work `evolve` would do for `event` that can run on all cores, done beforehand (a pure
    /// step outside the fold): the leaf hashes of a large compressed move. nil for anything else.
    @inline(__always)
    public func preparedLeaves(_ event: Event) -> [MerkleNode]? {
        guard case .ledger(.compressedTokensMoved(let c)) = event else { return nil }
        return preparedLeaves(c)
    }

    /// The same, for a compressed move (the caller matched it: passing the whole event costs a copy).
    public func preparedLeaves(_ move: CompressedTokensMoved) -> [MerkleNode]? {
        move.outputCount >= CompressedState.parallelLeaves ? chain.leafHashes(of: .compressedTokensMoved(move)) : nil
    }

    /// Folds one event into the state. Pure: no randomness, no clock, no I/O. An event that does
    /// not fit the state (it names an account, mint, environment or transaction that does not
    /// exist, breaks the order of slots, or moves amounts that cannot be) is an `EvolveError`
    /// naming the event; the state is then not to be used further.
    public mutating func evolve(_ record: EventRecord, leaves: [MerkleNode]? = nil) throws(EvolveError) {
        guard checksInvariants else {
            do { try apply(record, leaves: leaves) } catch {
                throw .event(seq: record.seq, tick: record.tick, type: record.event.typeName, error)
            }
            return
        }
        let before = probe(record.event)
        do { try apply(record, leaves: leaves) } catch {
            // Checked arithmetic refusing a balance is the balance invariant, named as such.
            if let a = error.arithmeticCause {
                throw .invariant(InvariantViolation(.balanceInRange, "\(a)", seq: record.seq, tick: record.tick, event: record.event.typeName))
            }
            throw .event(seq: record.seq, tick: record.tick, type: record.event.typeName, error)
        }
        if let v = check(after: record, before) ?? checkLane(after: record, before) { throw .invariant(v) }
    }

    /// Checks every invariant over the whole state (a checkpoint, the end of a run).
    public func checkState() throws(EvolveError) {
        if let v = checkAllInvariants() { throw .invariant(v) }
    }

    private mutating func apply(_ record: EventRecord, leaves: [MerkleNode]?) throws(EvolveError) {
        guard record.tick >= tick else { throw .inconsistent("tick \(record.tick) comes after tick \(tick)") }
        if let ended = lastSlotEnded, record.tick <= ended { throw .inconsistent("tick \(record.tick) has already ended") }
        tick = record.tick
        switch record.event {
        case .ledger(let e):
            // One switch for the checks around the chain's own (a ledger event is copied once).
            switch e {
            case .txSubmitted(let tx):
                guard tx.id == nextTxID else { throw .inconsistent("transaction \(tx.id) submitted where \(nextTxID) was next") }
                do { try chain.apply(e, leaves: nil) } catch { throw .ledger(error) }
                nextTxID = tx.id &+ 1
                switch tx.instruction {
                case .buyExactSolIn, .buyExactTokens, .sell, .poolBuy, .poolSell: countTrade(tx.payer, at: tick)
                case .create, .claimRewards, .airdrop, .compressedAirdrop, .compressedTransfer, .compress, .decompress: break
                }
            case .txDropped(let d):
                guard d.txID == nextTxID || chain.mempool.pending(d.txID) != nil else {
                    throw .inconsistent("transaction \(d.txID) dropped, but it is neither pending nor the next")
                }
                do { try chain.apply(e, leaves: nil) } catch { throw .ledger(error) }
                nextTxID = max(nextTxID, d.txID &+ 1)
            case .txIncluded:
                do { try chain.apply(e, leaves: nil) } catch { throw .ledger(error) }
                landedThisSlot &+= 1
            default:
                do { try chain.apply(e, leaves: leaves) } catch { throw .ledger(error) }
            }
        case .rewards(let e):
            do { try checkAccount(e.user) } catch { throw error }
            if case .tierChanged(let t) = e, Int(t.to) >= max(rewards.config.tiers.count, 1) { throw .inconsistent("tier \(t.to) does not exist") }
            do { try rewards.apply(e) } catch { throw .arithmetic(error) }
            if case .rewardsClaimed(let c) = e { claimedTotal &+= c.lamports }
        case .launchRequested(let e):
            try checkMint(e.mint)
            try checkAccount(e.creator)
            guard !launchRequested[Int(e.mint)] else { throw .inconsistent("mint \(e.mint) requested a second launch") }
            launchRequested[Int(e.mint)] = true
        case .environmentCreated(let e):
            try checkMint(e.mint)
            guard Int(e.environment) == environments.count else { throw .inconsistent("environment ids must be dense") }
            environments.append(VirtualEnvironment(id: e.environment, mint: e.mint, playLamports: e.playLamports,
                                                   curve: chain.mints[Int(e.mint)].curve))
            latestEnvironment[Int(e.mint)] = Int32(e.environment)
        case .tradingOpened(let e):
            try checkMint(e.mint)
            guard chain.mints[Int(e.mint)].status == .trading, openTick[Int(e.mint)] == Tick.max else {
                throw .inconsistent("mint \(e.mint) opened for trading before it was created, or twice")
            }
            openTick[Int(e.mint)] = record.tick
        case .chatPosted(let e):
            try checkAccount(e.wallet)
            try checkMint(e.mint)
            chatMessages += 1
        case .virtualJoined(let e):
            try checkEnvironment(e.environment)
            try checkAccount(e.wallet)
            environments[Int(e.environment)].join(e.wallet, playLamports: e.playLamports)
        case .virtualTradeExecuted(let e):
            try checkEnvironment(e.environment)
            try environments[Int(e.environment)].apply(e)
            if chain.config.plantedDefect == .virtualTradeChargesRealWallet, e.side == .buy {
                do { try chain._plantedVirtualCharge(e.wallet, e.curveSol) } catch { throw .ledger(error) }
            }
        case .virtualTradeRejected(let e):
            try checkEnvironment(e.environment)
            try checkAccount(e.wallet)
        case .launchRejected(let e):
            try checkMint(e.mint)
            try checkAccount(e.creator)
        case .tradeRejected(let e):
            try checkMint(e.mint)
            try checkAccount(e.wallet)
        case .claimFailed(let e):
            try checkAccount(e.wallet)
        case .slotEnded(let e):
            guard e.transactions == landedThisSlot else {
                throw .inconsistent("the slot ends with \(e.transactions) transactions landed, but \(landedThisSlot) did")
            }
            guard UInt64(e.pending) == UInt64(min(chain.mempool.count, Int(UInt32.max))) else {
                throw .inconsistent("the slot ends with \(e.pending) transactions pending, but \(chain.mempool.count) are")
            }
            lastSlotEnded = record.tick
            landedThisSlot = 0
        case .inputReceived:
            break
        case .proposalCreated(let e):
            guard Int(e.multisig) < multisigSigners.count, multisigSigners[Int(e.multisig)].contains(e.proposer) else {
                throw .inconsistent("proposal by \(e.proposer), not a signer of multisig \(e.multisig)")
            }
            guard e.proposal == UInt32(proposals.filter { $0.multisig == e.multisig }.count) else { throw .inconsistent("multisig \(e.multisig)'s proposals must be numbered in order") }
            proposals.append(Proposal(multisig: e.multisig, action: e.action, approvals: 0, expiresTick: e.expiresTick, status: .pending))
        case .proposalApproved(let e):
            guard let i = proposalIndex(e.multisig, e.proposal), proposals[i].status == .pending,
                  let s = multisigSigners[Int(e.multisig)].firstIndex(of: e.signer), proposals[i].approvals & (1 << UInt64(s)) == 0 else {
                throw .inconsistent("approval of proposal \(e.proposal) of multisig \(e.multisig) that cannot be")
            }
            proposals[i].approvals |= 1 << UInt64(s)
        case .proposalExecuted(let e):
            guard let i = proposalIndex(e.multisig, e.proposal), proposals[i].status == .pending else {
                throw .inconsistent("proposal \(e.proposal) of multisig \(e.multisig) executed while not pending")
            }
            proposals[i].status = .executed
        case .proposalExpired(let e):
            guard let i = proposalIndex(e.multisig, e.proposal), proposals[i].status == .pending, record.tick >= proposals[i].expiresTick else {
                throw .inconsistent("proposal \(e.proposal) of multisig \(e.multisig) expired early or twice")
            }
            proposals[i].status = .expired
        case .proposalRefused:
            break
        case .bundleSubmitted(let e):
            try checkAccount(e.payer)
            guard e.bundle == nextBundleID, e.count >= 1, Int(e.count) <= Bundles.maxTransactions, e.firstTx <= UInt64.max - 8 else {
                throw .inconsistent("bundle \(e.bundle) out of order or of \(e.count) transactions")
            }
            for id in e.firstTx..<(e.firstTx + UInt64(e.count)) {
                guard chain.mempool.pending(id) != nil else { throw .inconsistent("bundle \(e.bundle) names transaction \(id), which is not pending") }
            }
            pendingBundles.append(PendingBundle(id: e.bundle, payer: e.payer, firstTx: e.firstTx, count: e.count, tipLamports: e.tipLamports))
            nextBundleID &+= 1
        case .bundleLanded(let e):
            guard let i = pendingBundles.firstIndex(where: { $0.id == e.bundle }) else { throw .inconsistent("bundle \(e.bundle) landed, but it is not pending") }
            pendingBundles.remove(at: i)
        case .bundleDropped(let e):
            guard let i = pendingBundles.firstIndex(where: { $0.id == e.bundle }) else { throw .inconsistent("bundle \(e.bundle) dropped, but it is not pending") }
            pendingBundles.remove(at: i)
        }
    }

    private func checkMint(_ m: MintID) throws(EvolveError) {
        guard Int(m) < chain.mints.count else { throw .ledger(.unknownMint(m)) }
    }

    private func checkAccount(_ a: AccountID) throws(EvolveError) {
        guard Int(a) < chain.accountCount else { throw .ledger(.unknownAccount(a)) }
    }

    private func checkEnvironment(_ e: UInt32) throws(EvolveError) {
        guard Int(e) < environments.count else { throw .inconsistent("virtual environment \(e) does not exist") }
    }

    private mutating func countTrade(_ a: AccountID, at tick: Tick) {
        guard limits.maxTradesPerWindow > 0 else { return }
        let w = tick / limits.windowSlots
        if rate[Int(a)].window != w { rate[Int(a)] = RateWindow(window: w, count: 0) }
        rate[Int(a)].count += 1
    }

    // MARK: canonical encoding

    public func encode(to e: inout CanonicalEncoder) {
        chain.encode(to: &e)
        rewards.encode(to: &e)
        for i in launchRequested.indices {
            e.write(launchRequested[i])
            e.write(openTick[i])
        }
        e.write(UInt64(environments.count))
        for env in environments { env.encode(to: &e) }
        if limits.maxTradesPerWindow > 0 {
            e.writeRecords(rate.count, stride: 12) { w in
                for r in rate {
                    w.write(r.window)
                    w.write(r.count)
                }
            }
        }
        e.write(nextTxID)
        e.write(chatMessages)
        // Bundles join the digest once one was sent (older scenarios keep their digests).
        if nextBundleID > 0 {
            e.write(nextBundleID)
            e.write(UInt64(pendingBundles.count))
            for b in pendingBundles { e.write(b.id); e.write(b.payer); e.write(b.firstTx); e.write(b.count); e.write(b.tipLamports) }
        }
        // Proposals join the digest once there is one (older scenarios keep their digests).
        if !proposals.isEmpty {
            e.write(UInt64(proposals.count))
            for p in proposals {
                e.write(p.multisig); e.write(p.approvals); e.write(p.expiresTick); e.write(p.status.rawValue)
                switch p.action {
                case .launch(let m): e.write(UInt8(0)); e.write(m)
                case .withdraw(let to, let l): e.write(UInt8(1)); e.write(to); e.write(l)
                }
            }
        }
    }
}

extension EvolveError {
    /// The checked-arithmetic error underneath, if that is what refused the event.
    var arithmeticCause: ArithmeticError? {
        switch self {
        case .arithmetic(let a): return a
        case .ledger(.arithmetic(let a)): return a
        case .event(_, _, _, let e): return e.arithmeticCause
        default: return nil
        }
    }
}

import SimCore
import Curves
import Ledger
import Merkle

/// The properties every state the engine reaches must have. Checked after every event when
/// `World.checksInvariants` is on (debug builds and tests always; release with
/// `--check-invariants`), and over the whole state at every checkpoint.
public enum Invariant: String, Sendable, Hashable, CaseIterable {
    /// Lamports are neither created nor destroyed: accounts + curve reserves (the pool's after
    /// migration) + creator vaults + validator fees + locked rent = what genesis funded.
    case solConserved = "sol_conserved"
    /// Per mint: balances + compressed balances + tokens left in the curve = the curve's supply for sale.
    case tokensConserved = "tokens_conserved"
    /// No balance goes below zero or past 2^64, none holds more than exists, and the holder
    /// counts are the accounts with a balance.
    case balanceInRange = "balance_in_range"
    /// A pump.fun curve's product X·Y never decreases on a trade; any family's curve can buy back
    /// every token it sold; real reserves stay within the virtual ones; a complete curve sells
    /// nothing; a mint's status fits its curve (migrated only once complete).
    case curve = "curve"
    /// The vault pays exactly the claims, and no user claims more than accrued.
    case rewardsWithinVault = "rewards_within_vault"
    /// A virtual (paper) environment's events change nothing on the chain.
    case virtualIsolated = "virtual_isolated"
    /// The mempool holds at most `max_pending` transactions, in order.
    case mempoolLimits = "mempool_limits"
    /// A slot's block spends at most the block's compute-unit limit, and at most the account
    /// limit on any one write-locked account (a curve, the vault, the state tree).
    case blockLimits = "block_limits"
    /// The state tree's root is its newest changelog entry's, and the last appended leaf is its
    /// account's hash with a proof to that root.
    case merkleChangelog = "merkle_changelog"
    /// Every WebSocket message is delivered, dropped (with a reason), conflated or still in flight.
    case wsAccounted = "ws_accounted"
    /// A run's catalog record is whole or absent: a write that fails part way leaves the run
    /// marked running with none of its outcome, metrics or checkpoints.
    case catalogConsistent = "catalog_consistent"

    /// One line on what it asserts.
    public var summary: String {
        switch self {
        case .solConserved: return "SOL is conserved (accounts, curves and pools, creator vaults, validator fees, rent)"
        case .tokensConserved: return "each mint's tokens are conserved (balances, compressed balances, the curve's reserve)"
        case .balanceInRange: return "no balance negative, overflowing, or above what exists"
        case .curve: return "each curve's invariant never decreases on a trade and its reserves stay within bounds"
        case .rewardsWithinVault: return "rewards paid equal the claims and never exceed what was accrued or the vault"
        case .virtualIsolated: return "virtual environments touch nothing real"
        case .mempoolLimits: return "the mempool stays within its limit"
        case .blockLimits: return "each block stays within its compute-unit limit"
        case .merkleChangelog: return "the state tree's root matches its changelog and its leaves their accounts"
        case .wsAccounted: return "every WebSocket message is accounted for"
        case .catalogConsistent: return "a failed catalog write leaves no half-recorded run"
        }
    }
}

/// An invariant that does not hold: which, after which event, and the values that show it.
public struct InvariantViolation: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Value: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) { self.name = name; self.value = value }
    }
    public var invariant: Invariant
    /// The event after which it broke (nil: found by a whole-state check or on a result).
    public var seq: UInt64?
    public var tick: Tick?
    public var event: String?
    public var detail: String
    public var values: [Value]

    public init(_ invariant: Invariant, _ detail: String, values: [Value] = [], seq: UInt64? = nil, tick: Tick? = nil, event: String? = nil) {
        self.invariant = invariant; self.detail = detail; self.values = values; self.seq = seq; self.tick = tick; self.event = event
    }

    public var description: String {
        var s = "invariant \(invariant.rawValue) broken"
        if let seq, let tick, let event { s += " by event \(seq) (tick \(tick), \(event))" } else if let tick { s += " at tick \(tick)" }
        s += ": \(detail)"
        if !values.isEmpty { s += " [" + values.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + "]" }
        return s
    }
}

/// Up to two accounts an event moves value between, and a range of recipients.
struct Touched {
    var a0: AccountID?, a1: AccountID?
    var range: Range<UInt32> = 0..<0
    var mint: Int?
    var movesTokens = false

    @inline(__always) func forEachAccount(_ body: (Int) -> Void) {
        // The range first; single accounts only when outside it (each counts once).
        for r in range { body(Int(r)) }
        if let a = a0, !range.contains(a.rawValue) { body(Int(a)) }
        if let a = a1, a != a0, !range.contains(a.rawValue) { body(Int(a)) }
    }
}

/// What one event may change, read before it is folded in; compared after.
struct InvariantProbe {
    var touched: Touched
    var sol: UInt128
    var tokens: UInt128
    var k: UInt128?
    /// A virtual event: the chain's digest-relevant totals before it.
    var real: RealView?
    /// A landing transaction's write-lock lane and compute units (the per-account block limit).
    var lane: (index: Int, cu: UInt64)?
}

/// What a virtual event must leave alone: its wallet's real lamports, the real curve, the
/// creator vault and the validator fees.
struct RealView: Equatable {
    var lamports: UInt64, curve: CurveState, vault: UInt64, fees: UInt64
}

extension World {
    static func touched(by event: Event, chain: Chain) -> Touched {
        var t = Touched()
        switch event {
        case .ledger(let e):
            switch e {
            case .txIncluded(let i): t.a0 = i.payer
            case .tradeExecuted(let x): t.a0 = x.wallet; t.a1 = Chain.feeRecipient; t.mint = Int(x.mint); t.movesTokens = true
            case .poolTradeExecuted(let x): t.a0 = x.wallet; t.a1 = Chain.feeRecipient; t.mint = Int(x.mint); t.movesTokens = true
            case .tipPaid(let x): t.a0 = x.payer
            case .curveMigrated(let c): t.a0 = Chain.feeRecipient; t.mint = Int(c.mint)
            case .curveCompleted(let c): t.mint = Int(c.mint)
            case .tokenCreated(let c): t.mint = Int(c.mint)
            case .transfer(let x): t.a0 = x.from; t.a1 = x.to
            case .tokensAirdropped(let a):
                t.a0 = a.payer; t.mint = Int(a.mint); t.movesTokens = true
                let end = UInt64(a.firstRecipient.rawValue) + UInt64(a.count)
                if end <= UInt64(chain.accountCount) { t.range = a.firstRecipient.rawValue..<UInt32(end) }
            case .compressedTokensMoved(let c):
                t.a0 = c.payer; t.mint = Int(c.mint); t.movesTokens = true
                let end = UInt64(c.firstRecipient.rawValue) + UInt64(c.recipients)
                if end <= UInt64(chain.accountCount) { t.range = c.firstRecipient.rawValue..<UInt32(end) }
            default: break
            }
        case .virtualJoined(let v): t.a0 = v.wallet
        case .virtualTradeExecuted(let v): t.a0 = v.wallet
        default: break
        }
        if let a = t.a0, Int(a) >= chain.accountCount { t.a0 = nil }
        if let a = t.a1, Int(a) >= chain.accountCount { t.a1 = nil }
        if let m = t.mint, m >= chain.mints.count { t.mint = nil }
        return t
    }

    /// Lamports a mint's accounts hold: the curve's real reserve (the pool's once migrated) and the creator vault.
    @inline(__always) static func mintLamports(_ mint: MintState) -> UInt128 {
        let reserve = mint.status == .migrated ? (mint.pool?.quoteLamports ?? 0) : mint.curve.state.realSol
        return UInt128(reserve) + UInt128(mint.creatorVaultLamports)
    }

    /// The SOL in the places `t` names (its accounts, its mint's reserve or pool and creator
    /// vault, validator fees, locked rent) and, if it moves tokens, its mint's tokens there
    /// (balances, compressed balances, the curve's reserve).
    func holdings(_ t: Touched) -> (sol: UInt128, tokens: UInt128) {
        var sol = UInt128(chain.validatorFeesLamports) + UInt128(chain.rentLockedLamports)
        var tokens: UInt128 = 0
        t.forEachAccount { a in sol += UInt128(chain.lamports[a]) }
        if let m = t.mint {
            let mint = chain.mints[m]
            sol += World.mintLamports(mint)
            if t.movesTokens {
                // The curve's reserve for sale, and once migrated the pool's base reserve.
                tokens = UInt128(mint.curve.state.realToken) + UInt128(mint.status == .migrated ? mint.pool?.baseTokens ?? 0 : 0)
                let id = MintID(UInt32(m))
                t.forEachAccount { a in tokens += UInt128(chain.balances[m][a]) + UInt128(chain.compressed.balance(of: AccountID(UInt32(a)), mint: id)) }
            }
        }
        return (sol, tokens)
    }

    func probe(_ event: Event) -> InvariantProbe {
        let t = World.touched(by: event, chain: chain)
        let (sol, tokens) = holdings(t)
        var k: UInt128?
        if let m = t.mint, case .pumpFun = chain.mints[m].curve, case .ledger(.tradeExecuted) = event {
            k = UInt128(chain.mints[m].curve.state.virtualSol) * UInt128(chain.mints[m].curve.state.virtualToken)
        }
        var p = InvariantProbe(touched: t, sol: sol, tokens: tokens, k: k, real: realView(event))
        if case .ledger(.txIncluded(let i)) = event, let tx = chain.mempool.pending(i.txID), tx.lane != .unlimited {
            p.lane = (tx.lane.index, UInt64(i.computeUnits))
        }
        return p
    }

    /// The real side of a virtual event; nil for any other event.
    private func realView(_ event: Event) -> RealView? {
        let wallet: AccountID, environment: UInt32
        switch event {
        case .virtualJoined(let v): (wallet, environment) = (v.wallet, v.environment)
        case .virtualTradeExecuted(let v): (wallet, environment) = (v.wallet, v.environment)
        default: return nil
        }
        guard Int(wallet) < chain.accountCount, Int(environment) < environments.count else { return nil }
        let m = Int(environments[Int(environment)].mint)
        return RealView(lamports: chain.lamports[Int(wallet)], curve: chain.mints[m].curve.state, vault: chain.mints[m].creatorVaultLamports, fees: chain.validatorFeesLamports)
    }

    /// The per-event checks: what `event` touched, against `before`.
    func check(after record: EventRecord, _ before: InvariantProbe) -> InvariantViolation? {
        func fail(_ i: Invariant, _ detail: String, _ values: [InvariantViolation.Value] = []) -> InvariantViolation {
            InvariantViolation(i, detail, values: values, seq: record.seq, tick: record.tick, event: record.event.typeName)
        }
        let t = before.touched
        // Virtual events first: a leak into the chain would also show as a conservation failure.
        if let real = before.real, let now = realView(record.event), now != real {
            return fail(.virtualIsolated, "a virtual event changed the chain", [
                .init("wallet_lamports_before", "\(real.lamports)"), .init("wallet_lamports_after", "\(now.lamports)"),
                .init("real_sol_before", "\(real.curve.realSol)"), .init("real_sol_after", "\(now.curve.realSol)")])
        }
        // Balances in range: nobody holds more than genesis funded, or more tokens than the mint has.
        var over: (Int, UInt64)?
        t.forEachAccount { a in if over == nil, UInt128(chain.lamports[a]) > genesisLamports { over = (a, chain.lamports[a]) } }
        if let (a, l) = over {
            return fail(.balanceInRange, "account \(a) holds more lamports than exist", [.init("lamports", "\(l)"), .init("genesis_total", "\(genesisLamports)")])
        }
        let (sol, tokens) = holdings(t)
        if sol != before.sol {
            return fail(.solConserved, sol > before.sol ? "\(sol - before.sol) lamports created" : "\(before.sol - sol) lamports destroyed",
                        [.init("lamports_before", "\(before.sol)"), .init("lamports_after", "\(sol)")])
        }
        if let m = t.mint {
            let mint = chain.mints[m]
            if t.movesTokens {
                if tokens != before.tokens {
                    return fail(.tokensConserved, "mint \(m): " + (tokens > before.tokens ? "\(tokens - before.tokens) tokens created" : "\(before.tokens - tokens) tokens destroyed"),
                                [.init("tokens_before", "\(before.tokens)"), .init("tokens_after", "\(tokens)")])
                }
            }
            if let v = World.curveProblem(mint.curve, kBefore: before.k) { return fail(.curve, "mint \(m): \(v.0)", v.1) }
            if let s = World.mintProblem(mint, accounts: chain.accountCount) { return fail(.curve, "mint \(m) \(s)") }
        }
        switch record.event {
        case .ledger(.txSubmitted):
            if chain.mempool.count > chain.config.maxPendingTransactions {
                return fail(.mempoolLimits, "the mempool holds more than max_pending", [.init("pending", "\(chain.mempool.count)"), .init("max_pending", "\(chain.config.maxPendingTransactions)")])
            }
        case .ledger(.compressedTokensMoved(let c)):
            if let s = merkleProblem(c) { return fail(.merkleChangelog, s) }
        case .virtualTradeExecuted(let v):
            if Int(v.environment) < environments.count, let c = World.curveProblem(environments[Int(v.environment)].curve, kBefore: nil) {
                return fail(.curve, "virtual environment \(v.environment): \(c.0)", c.1)
            }
        case .rewards(.rewardsClaimed(let c)):
            let u = Int(c.user)
            if u < rewards.users.count, rewards.users[u].claimedLamports > rewards.users[u].accruedLamports {
                return fail(.rewardsWithinVault, "account \(u) claimed more than it accrued", [.init("claimed", "\(rewards.users[u].claimedLamports)"), .init("accrued", "\(rewards.users[u].accruedLamports)")])
            }
            if let s = vaultProblem() { return fail(.rewardsWithinVault, s.0, s.1) }
        case .slotEnded(let e):
            if e.computeUnits > chain.config.blockComputeUnitLimit {
                return fail(.blockLimits, "the block spent more compute units than a block may", [.init("compute_units", "\(e.computeUnits)"), .init("limit", "\(chain.config.blockComputeUnitLimit)")])
            }
            if let s = vaultProblem() { return fail(.rewardsWithinVault, s.0, s.1) }
        default: break
        }
        return nil
    }

    /// The per-account block limit: adds a landing's compute units to its lane's (cleared at each
    /// slot's end) and says if the lane went over.
    mutating func checkLane(after record: EventRecord, _ before: InvariantProbe) -> InvariantViolation? {
        if case .slotEnded = record.event { for i in laneComputeUnits.indices { laneComputeUnits[i] = 0 } }
        guard let (lane, cu) = before.lane else { return nil }
        if laneComputeUnits.count <= lane { laneComputeUnits += repeatElement(0, count: lane + 1 - laneComputeUnits.count) }
        laneComputeUnits[lane] += cu
        guard laneComputeUnits[lane] > chain.config.accountComputeUnitLimit else { return nil }
        return InvariantViolation(.blockLimits, "the block spent more compute units on one write-locked account than a block may", values: [
            .init("lane", "\(lane)"), .init("compute_units", "\(laneComputeUnits[lane])"), .init("limit", "\(chain.config.accountComputeUnitLimit)")],
            seq: record.seq, tick: record.tick, event: record.event.typeName)
    }

    /// The vault has paid exactly the claims recorded.
    func vaultProblem() -> (String, [InvariantViolation.Value])? {
        let vault = chain.lamports[Int(Chain.rewardsVault)]
        let paid = UInt128(genesisVaultLamports) > UInt128(vault) ? UInt128(genesisVaultLamports) - UInt128(vault) : 0
        guard UInt128(vault) <= UInt128(genesisVaultLamports), paid == UInt128(claimedTotal) else {
            return ("the rewards vault paid out \(paid) lamports for \(claimedTotal) claimed", [
                .init("vault_funded", "\(genesisVaultLamports)"), .init("vault_now", "\(vault)"), .init("claimed_total", "\(claimedTotal)")])
        }
        return nil
    }

    /// A curve's bounds and invariant; `kBefore`: X·Y before a trade on a pump.fun curve.
    static func curveProblem(_ curve: AnyCurve, kBefore: UInt128?) -> (String, [InvariantViolation.Value])? {
        let s = curve.state
        if s.realToken > s.virtualToken { return ("real tokens above virtual", [.init("real_token", "\(s.realToken)"), .init("virtual_token", "\(s.virtualToken)")]) }
        if s.realSol > s.virtualSol { return ("real SOL above virtual", [.init("real_sol", "\(s.realSol)"), .init("virtual_sol", "\(s.virtualSol)")]) }
        if s.complete && s.realToken != 0 { return ("complete with tokens for sale", [.init("real_token", "\(s.realToken)")]) }
        if let kBefore {
            let k = UInt128(s.virtualSol) * UInt128(s.virtualToken)
            if k < kBefore { return ("X·Y fell on a trade", [.init("k_before", "\(kBefore)"), .init("k_after", "\(k)")]) }
        }
        if case .pumpFun = curve {} else if !s.complete, s.realToken < curve.initialRealToken {
            // Another family keeps no product; it must still be able to buy back all it sold.
            let sold = curve.initialRealToken - s.realToken
            let out: UInt64? = try? curve.quoteSell(tokens: sold, minSolOut: 0).curveSol
            if out == nil || out! > s.realSol {
                return ("cannot buy back the \(sold) tokens it sold", [.init("real_sol", "\(s.realSol)"), .init("buy_back_sol", out.map { "\($0)" } ?? "more than held")])
            }
        }
        return nil
    }

    static func mintProblem(_ mint: MintState, accounts: Int) -> String? {
        if mint.status == .migrated && !(mint.curve.isComplete && mint.pool != nil) { return "migrated without completing" }
        if mint.status == .pending && (mint.holders != 0 || mint.curve.state.realSol != 0) { return "pending with holders or SOL" }
        if Int(mint.holders) > accounts { return "has more holders than accounts" }
        return nil
    }

    func merkleProblem(_ c: CompressedTokensMoved) -> String? {
        let tree = chain.compressed.tree
        guard let newest = tree.changelog.last, newest.root == tree.root else { return "the root is not the newest changelog entry's" }
        guard chain.compressed.accounts.count == Int(tree.nextIndex) else { return "\(chain.compressed.accounts.count) accounts for \(tree.nextIndex) leaves" }
        guard tree.nextIndex > 0 else { return nil }
        let last = tree.nextIndex - 1
        let a = chain.compressed.accounts[Int(last)]
        let expected = chain.compressed.leafHash(mint: a.mint, owner: a.owner, amount: a.amount, leafIndex: last)
        guard tree.leaf(last) == expected else { return "leaf \(last) is not its account's hash" }
        guard ConcurrentMerkleTree<PoseidonHasher>.verify(leaf: expected, index: last, proof: tree.proof(last), root: tree.root) else {
            return "leaf \(last)'s proof does not lead to the root"
        }
        return nil
    }

    /// Every invariant over the whole state (O(accounts × mints + leaves)): at checkpoints when
    /// checking, and at the end of a run.
    public func checkAllInvariants() -> InvariantViolation? {
        func fail(_ i: Invariant, _ detail: String, _ values: [InvariantViolation.Value] = []) -> InvariantViolation {
            InvariantViolation(i, detail, values: values, tick: tick)
        }
        var sol = UInt128(chain.validatorFeesLamports) + UInt128(chain.rentLockedLamports)
        for l in chain.lamports { sol += UInt128(l) }
        for m in chain.mints { sol += World.mintLamports(m) }
        if sol != genesisLamports {
            return fail(.solConserved, "the state holds \(sol) lamports, genesis funded \(genesisLamports)", [.init("lamports_now", "\(sol)"), .init("genesis_total", "\(genesisLamports)")])
        }
        for m in chain.mints.indices {
            let mint = chain.mints[m]
            var tokens = UInt128(mint.curve.state.realToken)
            // Once migrated, the pool's base reserve less what migration put there (the tokens
            // the curve never sold): what the pool has bought back, or minus what it has sold.
            var expected = UInt128(genesisTokens[m])
            if mint.status == .migrated, let p = mint.pool {
                tokens += UInt128(p.baseTokens)
                expected += UInt128(mint.curve.tokenTotalSupply - min(mint.curve.tokenTotalSupply, mint.curve.initialRealToken))
            }
            var holders: UInt32 = 0
            for (a, b) in chain.balances[m].enumerated() {
                tokens += UInt128(b)
                if b > 0 { holders += 1 }
                if m < 32 && (b > 0) != (chain.holdingMask[a] & (1 << UInt32(m)) != 0) {
                    return fail(.balanceInRange, "account \(a)'s holding mask disagrees with its balance \(b) of mint \(m)")
                }
            }
            for a in chain.compressed.accounts where !a.spent && Int(a.mint) == m { tokens += UInt128(a.amount) }
            if tokens != expected {
                return fail(.tokensConserved, "mint \(m) has \(tokens) tokens, its curve sold from \(genesisTokens[m])", [.init("tokens_now", "\(tokens)"), .init("expected", "\(expected)")])
            }
            if holders != mint.holders { return fail(.balanceInRange, "mint \(m) counts \(mint.holders) holders, \(holders) hold it") }
            if let c = World.curveProblem(mint.curve, kBefore: nil) { return fail(.curve, "mint \(m): \(c.0)", c.1) }
            if let s = World.mintProblem(mint, accounts: chain.accountCount) { return fail(.curve, "mint \(m) \(s)") }
        }
        for (i, env) in environments.enumerated() {
            if let c = World.curveProblem(env.curve, kBefore: nil) { return fail(.curve, "virtual environment \(i): \(c.0)", c.1) }
        }
        if let s = chain.mempool.invariantProblem() { return fail(.mempoolLimits, s) }
        if chain.mempool.count > chain.config.maxPendingTransactions { return fail(.mempoolLimits, "\(chain.mempool.count) pending, above max_pending \(chain.config.maxPendingTransactions)") }
        if let s = chain.compressed.invariantProblem() { return fail(.merkleChangelog, s) }
        var claimed: UInt128 = 0
        for (u, r) in rewards.users.enumerated() {
            claimed += UInt128(r.claimedLamports)
            if r.claimedLamports > r.accruedLamports { return fail(.rewardsWithinVault, "account \(u) claimed more than it accrued") }
        }
        if claimed != UInt128(claimedTotal) { return fail(.rewardsWithinVault, "claims add up to \(claimed), \(claimedTotal) were recorded") }
        if let s = vaultProblem() { return fail(.rewardsWithinVault, s.0, s.1) }
        if launchRequested.count != chain.mints.count || openTick.count != chain.mints.count || latestEnvironment.count != chain.mints.count {
            return fail(.balanceInRange, "per-mint arrays differ in length")
        }
        return nil
    }
}

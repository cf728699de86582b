import SimCore
import Curves
import Merkle
import CPrefetch

/// Lifecycle of a mint on the mocked chain.
public enum MintStatus: UInt8, Sendable, Hashable {
    /// Declared by the scenario, not created yet.
    case pending = 0
    /// Created; its curve trades.
    case trading = 1
    /// Curve completed and migrated; the curve no longer trades.
    case migrated = 2
}

/// One mint and its bonding curve account.
public struct MintState: Sendable, Hashable {
    public var curve: AnyCurve
    public var status: MintStatus = .pending
    public var creator: AccountID = 0
    /// Creator fees accrued in the creator vault, lamports.
    public var creatorVaultLamports: UInt64 = 0
    /// Accounts holding a positive balance.
    public var holders: UInt32 = 0
    /// The migrated pool, once completed: `baseTokens` and `quoteLamports` are its reserves now
    /// (the migration's, then moved by every swap).
    public var pool: CurveMigrated?

    public init(curve: AnyCurve) { self.curve = curve }

    /// Spot price, nanolamports per whole token: the pool's once migrated, else the curve's.
    @inlinable public var spotPriceNanos: UInt64 {
        if status == .migrated, let p = pool { return ConstantProductPool.spotPriceNanos(base: p.baseTokens, quote: p.quoteLamports) }
        return curve.spotPriceNanos
    }

    /// Market cap now, lamports: the pool's (quote·supply/base) once migrated, else the curve's.
    public var marketCapLamports: UInt64 {
        if status == .migrated, let p = pool {
            return UInt64(clamping: ConstantProductPool.marketCap(base: p.baseTokens, quote: p.quoteLamports, supply: curve.tokenTotalSupply))
        }
        return curve.marketCapLamports
    }

    /// The fees a swap on the pool pays now (the tier of its market cap, the era of the curve's fee profile).
    public var poolFees: PoolFees {
        let p = pool ?? CurveMigrated(mint: 0, baseTokens: 1, quoteLamports: 0, migrationFeeLamports: 0)
        let cap = ConstantProductPool.marketCap(base: p.baseTokens, quote: p.quoteLamports, supply: curve.tokenTotalSupply)
        return PoolFeeSchedule.of(curve.feeProfile).fees(marketCapLamports: cap, creator: curve.creatorFeeApplies)
    }

    /// Quotes a swap on the pool as it is now.
    public func quotePool(side: TradeSide, base: UInt64) throws(ConstantProductPool.Failure) -> PoolSwap {
        guard status == .migrated, let p = pool else { throw .insufficientLiquidity }
        switch side {
        case .buy: return try ConstantProductPool.buy(baseOut: base, base: p.baseTokens, quote: p.quoteLamports, fees: poolFees)
        case .sell: return try ConstantProductPool.sell(baseIn: base, base: p.baseTokens, quote: p.quoteLamports, fees: poolFees)
        }
    }

    /// The base tokens a budget of `lamports` buys on the pool now, as the SDK estimates it.
    public func poolBaseOut(forLamports lamports: UInt64) -> UInt64 {
        guard status == .migrated, let p = pool else { return 0 }
        return ConstantProductPool.baseOut(forQuote: lamports, base: p.baseTokens, quote: p.quoteLamports, fees: poolFees)
    }
}

/// Errors that `apply` meets only with an inconsistent event stream (a corrupt or foreign trace).
public enum LedgerError: Error, Equatable, Sendable, CustomStringConvertible {
    case arithmetic(ArithmeticError)
    case curve(CurveError)
    case unknownAccount(AccountID)
    case unknownMint(MintID)
    /// A compressed-token event that does not fit the compressed state.
    case compressed(String)
    case merkle(MerkleError)
    /// A submission whose id does not follow the pending ones.
    case transactionOutOfOrder(TxID)
    /// An event about a transaction that is not pending.
    case notPending(TxID)
    /// A mint event that does not fit the mint's lifecycle (created twice, a trade before creation, …).
    case mintState(MintID, String)
    /// Amounts in an event that cannot be (fees above the curve amount, a sum past 2^64).
    case amounts(String)

    public var description: String {
        switch self {
        case .arithmetic(let e): return "\(e)"
        case .curve(let e): return "curve: \(e)"
        case .unknownAccount(let a): return "unknown account \(a)"
        case .unknownMint(let m): return "unknown mint \(m)"
        case .compressed(let s): return "compressed state: \(s)"
        case .merkle(let e): return "state tree: \(e)"
        case .transactionOutOfOrder(let id): return "transaction \(id) submitted out of order"
        case .notPending(let id): return "transaction \(id) is not pending"
        case .mintState(let m, let s): return "mint \(m) \(s)"
        case .amounts(let s): return s
        }
    }
}

/// The state of the mocked chain: accounts, mints with their curves, token balances, the mempool.
public struct Chain: Sendable {
    public let config: ChainConfig
    /// Lamports per account.
    public private(set) var lamports: [UInt64] = []
    /// Tick at which each account was created (negative: before the run started).
    public private(set) var bornTick: [Int64] = []
    public private(set) var mints: [MintState] = []
    /// Token balances, `balances[mint][account]`.
    public private(set) var balances: [[UInt64]] = []
    /// Per account, bit `m` set while its balance of mint `m` is positive (mints 0–31; an index
    /// kept with the balances, not digested): which mints a wallet holds in one read.
    public private(set) var holdingMask: [UInt32] = []
    /// Whether the account has an associated token account for the mint.
    public private(set) var tokenAccountOpen: [[Bool]] = []
    public var mempool: Mempool
    /// Transaction fees paid to validators, lamports.
    public private(set) var validatorFeesLamports: UInt64 = 0
    /// Lamports locked as token-account rent.
    public private(set) var rentLockedLamports: UInt64 = 0
    /// Compressed token accounts in the state tree.
    public private(set) var compressed: CompressedState

    /// The protocol fee recipient.
    public static let feeRecipient: AccountID = 0
    /// The rewards vault.
    public static let rewardsVault: AccountID = 1

    public init(config: ChainConfig = ChainConfig(), indexing: Bool = true) {
        self.config = config
        self.mempool = Mempool(indexing: indexing)
        // The scenario loader checks the tree settings; fall back to the defaults if they are off.
        self.compressed = (try? CompressedState(config: config.stateTree)) ?? (try! CompressedState(config: StateTreeConfig()))
        _ = openAccount(lamports: 0, bornTick: 0)
        _ = openAccount(lamports: 0, bornTick: 0)
    }

    /// Creates an account at genesis (not an event: the scenario's accounts are part of the initial state).
    @discardableResult
    public mutating func openAccount(lamports: UInt64, bornTick: Int64) -> AccountID {
        self.lamports.append(lamports)
        self.bornTick.append(bornTick)
        self.holdingMask.append(0)
        for m in balances.indices {
            balances[m].append(0)
            tokenAccountOpen[m].append(false)
        }
        return AccountID(self.lamports.count - 1)
    }

    /// Declares a mint (with its curve) at genesis; `create` brings it to life.
    @discardableResult
    public mutating func declareMint(curve: AnyCurve) -> MintID {
        mints.append(MintState(curve: curve))
        balances.append([UInt64](repeating: 0, count: lamports.count))
        tokenAccountOpen.append([Bool](repeating: false, count: lamports.count))
        return MintID(mints.count - 1)
    }

    /// Funds an account at genesis.
    public mutating func fund(_ account: AccountID, lamports amount: UInt64) throws(ArithmeticError) {
        lamports[Int(account)] = try Checked.add(lamports[Int(account)], amount, "genesis funding")
    }

    /// Inlinable: a call across modules copied the whole chain (496 bytes) to read one count, once
    /// per rewards and chat event on the engine's hot path.
    @inlinable public var accountCount: Int { lamports.count }

    /// Token balance of an account.
    @inlinable public func balance(of account: AccountID, mint: MintID) -> UInt64 {
        balances[Int(mint)][Int(account)]
    }

    /// Hints that the account's lamports and holdings will be read soon (no effect on results).
    @inlinable public func prefetchAccount(_ account: AccountID) {
        let a = Int(account)
        guard a < lamports.count else { return }
        lamports.withUnsafeBufferPointer { pumpsim_prefetch($0.baseAddress! + a) }
        holdingMask.withUnsafeBufferPointer { pumpsim_prefetch($0.baseAddress! + a) }
    }

    /// Hints that the account's positive balances will be read soon (no effect on results).
    @inlinable public func prefetchHeldBalances(_ account: AccountID) {
        let a = Int(account)
        guard a < holdingMask.count else { return }
        var mask = holdingMask[a]
        while mask != 0 {
            let m = mask.trailingZeroBitCount
            mask &= mask - 1
            if m < balances.count, let base = Self.hintBase(balances[m]) { pumpsim_prefetch(base + a * MemoryLayout<UInt64>.stride) }
        }
    }

    /// The first element's address of an array, for a hint only (never dereferenced): read
    /// without `withUnsafeBufferPointer`, whose lifetime fix retained and released the array
    /// for each hint.
    @inlinable @inline(__always) public static func hintBase<T>(_ array: [T]) -> UnsafeRawPointer? {
        array._baseAddressIfContiguous.map { UnsafeRawPointer($0) }
    }

    /// Hints that the account's balance of `mint` will be read soon (no effect on results).
    @inlinable public func prefetchBalance(_ account: AccountID, mint: MintID) {
        let m = Int(mint), a = Int(account)
        guard m < balances.count, a < balances[m].count else { return }
        if let base = Self.hintBase(balances[m]) { pumpsim_prefetch(base + a * MemoryLayout<UInt64>.stride) }
    }

    /// Age of an account at `tick`, in slots.
    @inlinable public func ageSlots(of account: AccountID, at tick: Tick) -> Int64 {
        Int64(tick) - bornTick[Int(account)]
    }
}

// MARK: - evolve

extension Chain {
    /// Folds one event into the chain. Pure: no randomness, no clock, no I/O. `leaves`: for a
    /// compressed move, its outputs' leaf hashes as `leafHashes(of:)` gives them (computed
    /// beforehand, possibly on all cores); nil hashes them here.
    public mutating func apply(_ event: LedgerEvent, leaves: [MerkleNode]? = nil) throws(LedgerError) {
        switch event {
        case .txSubmitted(let tx):
            try checkAccount(tx.payer)
            if let m = tx.instruction.mint { try checkMint(m) }
            try mempool.insert(tx)
        case .txDropped(let e):
            try checkAccount(e.payer)
            if let m = e.mint { try checkMint(m) }
            mempool.remove(e.txID)
        case .txExpired(let e):
            if let m = e.mint { try checkMint(m) }
            guard mempool.remove(e.txID) != nil else { throw .notPending(e.txID) }
        case .txIncluded(let e):
            guard let tx = mempool.remove(e.txID) else { throw .notPending(e.txID) }
            guard tx.payer == e.payer else { throw .amounts("transaction \(e.txID) lands for payer \(e.payer), but \(tx.payer) sent it") }
            try debit(e.payer, e.feeLamports, "transaction fee")
            validatorFeesLamports = try wrap { () throws(ArithmeticError) in try Checked.add(validatorFeesLamports, e.feeLamports) }
        case .tokenCreated(let e):
            try checkMint(e.mint)
            try checkAccount(e.creator)
            guard mints[Int(e.mint)].status == .pending else { throw .mintState(e.mint, "created a second time") }
            mints[Int(e.mint)].status = .trading
            mints[Int(e.mint)].creator = e.creator
        case .createFailed(let e):
            try checkMint(e.mint)
            try checkAccount(e.creator)
        case .tradeExecuted(let e):
            try applyTrade(e)
        case .tradeFailed(let e):
            try checkMint(e.mint)
            try checkAccount(e.wallet)
        case .curveCompleted(let e):
            try checkMint(e.mint)
            guard mints[Int(e.mint)].status == .trading, mints[Int(e.mint)].curve.isComplete else {
                throw .mintState(e.mint, "completed while its curve is not complete")
            }
        case .curveMigrated(let e):
            try checkMint(e.mint)
            guard mints[Int(e.mint)].status == .trading, mints[Int(e.mint)].curve.isComplete else {
                throw .mintState(e.mint, "migrated before its curve completed")
            }
            mints[Int(e.mint)].status = .migrated
            mints[Int(e.mint)].pool = e
            try credit(Chain.feeRecipient, e.migrationFeeLamports, "migration fee")
        case .transfer(let e):
            try debit(e.from, e.lamports, "transfer")
            try credit(e.to, e.lamports, "transfer")
        case .tokensAirdropped(let e):
            try applyAirdrop(e)
        case .compressedTokensMoved(let e):
            try applyCompressed(e, leaves: leaves)
        case .tokenInstructionFailed(let e):
            try checkMint(e.mint)
            try checkAccount(e.payer)
        case .poolTradeExecuted(let e):
            try applyPoolTrade(e)
        case .tipPaid(let e):
            try debit(e.payer, e.lamports, "bundle tip")
            validatorFeesLamports = try wrap { () throws(ArithmeticError) in try Checked.add(validatorFeesLamports, e.lamports) }
        }
    }

    private mutating func applyPoolTrade(_ e: PoolTradeExecuted) throws(LedgerError) {
        try checkMint(e.mint)
        try checkAccount(e.wallet)
        let m = Int(e.mint)
        guard mints[m].status == .migrated, var pool = mints[m].pool else { throw .mintState(e.mint, "swapped on a pool before migrating") }
        guard let user = e.checkedUserQuote else { throw .amounts("swap of tx \(e.txID): fees and quote do not add up") }
        switch e.side {
        case .buy:
            guard e.base < pool.baseTokens else { throw .amounts("swap of tx \(e.txID) takes \(e.base) of the pool's \(pool.baseTokens) tokens") }
            try debit(e.wallet, try wrap { () throws(ArithmeticError) in try Checked.add(user, e.rentLamports, "pool buy") }, "pool buy")
            try addTokens(m, e.wallet, e.base)
            if e.rentLamports > 0 { try openTokenAccount(m, e.wallet, rent: e.rentLamports) }
            pool.baseTokens -= e.base
            pool.quoteLamports = try wrap { () throws(ArithmeticError) in try Checked.add(pool.quoteLamports, try Checked.add(e.rawQuote, e.lpFee), "pool reserve") }
        case .sell:
            guard e.rawQuote <= pool.quoteLamports else { throw .amounts("swap of tx \(e.txID) takes \(e.rawQuote) of the pool's \(pool.quoteLamports) lamports") }
            try subTokens(m, e.wallet, e.base)
            try credit(e.wallet, user, "pool sell proceeds")
            pool.baseTokens = try wrap { () throws(ArithmeticError) in try Checked.add(pool.baseTokens, e.base, "pool reserve") }
            pool.quoteLamports = try wrap { () throws(ArithmeticError) in try Checked.add(pool.quoteLamports - e.rawQuote, e.lpFee, "pool reserve") }
        }
        mints[m].pool = pool
        try credit(Chain.feeRecipient, e.protocolFee, "pool protocol fee")
        mints[m].creatorVaultLamports = try wrap { () throws(ArithmeticError) in try Checked.add(mints[m].creatorVaultLamports, e.creatorFee) }
    }

    private mutating func applyAirdrop(_ e: TokensAirdropped) throws(LedgerError) {
        try checkMint(e.mint)
        let m = Int(e.mint)
        try checkAccount(e.payer)
        guard Int(e.firstRecipient) + Int(e.count) <= lamports.count else { throw .unknownAccount(AccountID(rawValue: e.firstRecipient.rawValue &+ e.count &- 1)) }
        let total = try wrap { () throws(ArithmeticError) in try Checked.mul(e.amount, UInt64(e.count), "airdrop total") }
        try debit(e.payer, e.rentLamports, "token account rent")
        rentLockedLamports = try wrap { () throws(ArithmeticError) in try Checked.add(rentLockedLamports, e.rentLamports) }
        try subTokens(m, e.payer, total)
        for r in e.firstRecipient..<(e.firstRecipient + e.count) {
            tokenAccountOpen[m][Int(r)] = true
            try addTokens(m, r, e.amount)
        }
    }

    private mutating func applyCompressed(_ e: CompressedTokensMoved, leaves: [MerkleNode]?) throws(LedgerError) {
        try checkMint(e.mint)
        let m = Int(e.mint)
        try checkAccount(e.payer)
        guard Int(e.firstRecipient) + Int(e.recipients) <= lamports.count else { throw .unknownAccount(AccountID(rawValue: e.firstRecipient.rawValue &+ e.recipients &- 1)) }
        for leaf in e.inputs { try compressed.spend(leaf, owner: e.payer, mint: e.mint) }
        if e.fromStandard > 0 { try subTokens(m, e.payer, e.fromStandard) }
        if e.rentLamports > 0 {
            try debit(e.payer, e.rentLamports, "token account rent")
            try openTokenAccount(m, e.payer, rent: e.rentLamports)
        }
        if e.toStandard > 0 { try addTokens(m, e.payer, e.toStandard) }
        try compressed.append(Self.outputs(of: e), mint: e.mint, firstLeaf: e.firstLeaf, leaves: leaves)
    }

    /// A compressed move's outputs: (owner, amount) per recipient, then the change.
    static func outputs(of e: CompressedTokensMoved) -> [(AccountID, UInt64)] {
        var outputs: [(AccountID, UInt64)] = []
        outputs.reserveCapacity(Int(e.outputCount))
        for r in e.firstRecipient..<(e.firstRecipient + e.recipients) { outputs.append((r, e.amount)) }
        if e.change > 0 { outputs.append((e.payer, e.change)) }
        return outputs
    }

    /// The leaf hashes a compressed move appends, hashed on all cores (a pure function of the
    /// event: the result does not depend on the thread count). nil for anything else, or for a
    /// move that does not fit the chain (`apply` then says why).
    public func leafHashes(of event: LedgerEvent) -> [MerkleNode]? {
        guard case .compressedTokensMoved(let e) = event, Int(e.mint) < mints.count,
              Int(e.firstRecipient) + Int(e.recipients) <= lamports.count, e.firstLeaf == compressed.tree.nextIndex,
              UInt64(e.outputCount) <= compressed.freeLeaves else { return nil }
        return compressed.parallelLeafHashes(Self.outputs(of: e), mint: e.mint, firstLeaf: e.firstLeaf)
    }

    private mutating func applyTrade(_ e: TradeExecuted) throws(LedgerError) {
        try checkMint(e.mint)
        try checkAccount(e.wallet)
        let m = Int(e.mint)
        guard mints[m].status == .trading else { throw .mintState(e.mint, "traded while not trading") }
        guard let total = e.checkedSolTotal else { throw .amounts("trade of tx \(e.txID): fees and curve amount do not add up") }
        do {
            try mints[m].curve.applyTrade(side: e.side, tokens: e.tokens, curveSol: e.curveSol)
        } catch { throw .curve(error) }
        switch e.side {
        case .buy:
            try debit(e.wallet, try wrap { () throws(ArithmeticError) in try Checked.add(total, e.rentLamports, "buy") }, "buy")
            try addTokens(m, e.wallet, e.tokens)
            if e.rentLamports > 0 { try openTokenAccount(m, e.wallet, rent: e.rentLamports) }
        case .sell:
            let wholeHolding = balances[m][Int(e.wallet)] == e.tokens
            try subTokens(m, e.wallet, config.plantedDefect == .sellTokensOffByOne && e.tokens > 1 ? e.tokens - 1 : e.tokens)
            try credit(e.wallet, total, "sell proceeds")
            if config.plantedDefect == .creatorFeeRoundedUp && wholeHolding && e.creatorFee > 0 {
                mints[m].creatorVaultLamports = try wrap { () throws(ArithmeticError) in try Checked.add(mints[m].creatorVaultLamports, 1) }
            }
        }
        try credit(Chain.feeRecipient, e.protocolFee, "protocol fee")
        mints[m].creatorVaultLamports = try wrap { () throws(ArithmeticError) in try Checked.add(mints[m].creatorVaultLamports, e.creatorFee) }
    }

    /// Token balance changes, keeping the holder count (accounts with a positive balance).
    private mutating func addTokens(_ m: Int, _ a: AccountID, _ amount: UInt64) throws(LedgerError) {
        guard Int(a) < lamports.count else { throw .unknownAccount(a) }
        let before = balances[m][Int(a)]
        balances[m][Int(a)] = try wrap { () throws(ArithmeticError) in try Checked.add(before, amount, "token balance") }
        if before == 0 && amount > 0 {
            mints[m].holders += 1
            if m < 32 { holdingMask[Int(a)] |= 1 << UInt32(m) }
        }
    }

    private mutating func subTokens(_ m: Int, _ a: AccountID, _ amount: UInt64) throws(LedgerError) {
        guard Int(a) < lamports.count else { throw .unknownAccount(a) }
        let before = balances[m][Int(a)]
        balances[m][Int(a)] = try wrap { () throws(ArithmeticError) in try Checked.sub(before, amount, "token balance") }
        if before > 0 && before == amount {
            mints[m].holders -= 1
            if m < 32 { holdingMask[Int(a)] &= ~(1 << UInt32(m)) }
        }
    }

    /// Marks a new token account open and its (already debited) rent locked.
    private mutating func openTokenAccount(_ m: Int, _ a: AccountID, rent: UInt64) throws(LedgerError) {
        tokenAccountOpen[m][Int(a)] = true
        rentLockedLamports = try wrap { () throws(ArithmeticError) in try Checked.add(rentLockedLamports, rent) }
    }

    /// The planted `virtualTradeChargesRealWallet` defect's one code path (the engine calls it
    /// on a virtual buy only when that defect is planted).
    public mutating func _plantedVirtualCharge(_ a: AccountID, _ amount: UInt64) throws(LedgerError) {
        guard config.plantedDefect == .virtualTradeChargesRealWallet else { return }
        try debit(a, min(amount, lamports[Int(a)]), "planted defect")
    }

    private mutating func debit(_ a: AccountID, _ amount: UInt64, _ what: String) throws(LedgerError) {
        guard Int(a) < lamports.count else { throw .unknownAccount(a) }
        lamports[Int(a)] = try wrap { () throws(ArithmeticError) in try Checked.sub(lamports[Int(a)], amount, what) }
    }

    private mutating func credit(_ a: AccountID, _ amount: UInt64, _ what: String) throws(LedgerError) {
        guard Int(a) < lamports.count else { throw .unknownAccount(a) }
        lamports[Int(a)] = try wrap { () throws(ArithmeticError) in try Checked.add(lamports[Int(a)], amount, what) }
    }

    private func checkMint(_ m: MintID) throws(LedgerError) {
        guard Int(m) < mints.count else { throw .unknownMint(m) }
    }

    private func checkAccount(_ a: AccountID) throws(LedgerError) {
        guard Int(a) < lamports.count else { throw .unknownAccount(a) }
    }

    private func wrap<T>(_ body: () throws(ArithmeticError) -> T) throws(LedgerError) -> T {
        do { return try body() } catch { throw .arithmetic(error) }
    }
}

// MARK: - canonical encoding

extension Chain: CanonicallyEncodable {
    public func encode(to e: inout CanonicalEncoder) {
        e.write(UInt64(lamports.count))
        e.writeRecords(lamports.count, stride: 16) { w in
            for i in lamports.indices {
                w.write(lamports[i])
                w.write(bornTick[i])
            }
        }
        e.write(UInt64(mints.count))
        for m in mints.indices {
            let mint = mints[m]
            mint.curve.state.encode(to: &e)
            e.write(mint.status.rawValue)
            e.write(mint.creator)
            e.write(mint.creatorVaultLamports)
            e.write(mint.holders)
            if let p = mint.pool { e.write(true); e.write(p.baseTokens); e.write(p.quoteLamports) } else { e.write(false) }
            let (held, open) = (balances[m], tokenAccountOpen[m])
            e.writeRecords(held.count, stride: 9) { w in
                for a in held.indices {
                    w.write(held[a])
                    w.write(open[a])
                }
            }
        }
        mempool.encode(to: &e)
        e.write(validatorFeesLamports)
        e.write(rentLockedLamports)
        // Compressed state joins the digest once used (older scenarios keep their digests): the
        // root commits to every leaf.
        if compressed.touched {
            for b in compressed.tree.root.bytes { e.write(b) }
            e.write(UInt64(compressed.tree.nextIndex))
            e.write(compressed.tree.sequenceNumber)
        }
    }
}

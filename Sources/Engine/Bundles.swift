import SimCore
import Curves
import Ledger

/// Jito-style bundles (REFERENCE.md Part 3 §3): up to 5 transactions that land in order in one
/// slot, all or none, with a tip (at least 1 000 lamports) paid to the validator. A bundle lives
/// one slot: those pending at the end of the slot they were sent in go first, by tip, ahead of
/// ordinary transactions; one whose transactions would not all succeed, or that does not fit the
/// block, is dropped whole and its transactions never land.
public enum Bundles {
    public static let maxTransactions = 5
    public static let minTipLamports: UInt64 = 1_000
}

/// A bundle sent to the block engine: its transactions are `count` consecutive ids from `firstTx`.
public struct BundleSubmitted: Sendable, Hashable {
    public var bundle: UInt32
    public var payer: AccountID
    public var firstTx: TxID
    public var count: UInt8
    public var tipLamports: UInt64
    public init(bundle: UInt32, payer: AccountID, firstTx: TxID, count: UInt8, tipLamports: UInt64) {
        self.bundle = bundle; self.payer = payer; self.firstTx = firstTx; self.count = count; self.tipLamports = tipLamports
    }
}

/// Every transaction of the bundle landed, in order, and its tip was paid.
public struct BundleLanded: Sendable, Hashable {
    public var bundle: UInt32
    public init(bundle: UInt32) { self.bundle = bundle }
}

/// Why a bundle did not land; its transactions were dropped unlanded (`BundleFailed`).
public struct BundleDropped: Sendable, Hashable {
    public enum Reason: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// One of its transactions would have failed (or its fee, or the tip, could not be paid).
        case transactionFailed = 0
        /// It did not fit the block (or the leader skipped the slot).
        case notIncluded
        public var description: String { self == .transactionFailed ? "TransactionFailed" : "NotIncluded" }
    }
    public var bundle: UInt32
    public var reason: Reason
    /// The member that would have failed (its place in the bundle), if that is why.
    public var failedIndex: UInt8
    public init(bundle: UInt32, reason: Reason, failedIndex: UInt8) { self.bundle = bundle; self.reason = reason; self.failedIndex = failedIndex }
}

/// A bundle waiting for the end of its slot.
public struct PendingBundle: Sendable, Hashable {
    public var id: UInt32
    public var payer: AccountID
    public var firstTx: TxID
    public var count: UInt8
    public var tipLamports: UInt64
}

extension Decide {
    /// A buy sent as a one-transaction bundle with a tip (a sniper's way to the front of the block).
    static func bundledBuy(_ w: AccountID, _ m: MintID, lamports: UInt64, slippage: UInt32, priority: UInt64, tip: UInt64,
                           world: UnsafePointer<World>, config: SimulationConfig, tick: Tick, into out: inout [Event]) {
        guard let q = preflight(w, m, .buy, world: world, tick: tick, into: &out, quote: { c throws(CurveError) in
            try c.quoteBuy(spendable: lamports, minTokensOut: 0) }) else { return }
        let tx = Transaction(id: world.pointee.nextTxID, payer: w, computeUnits: config.chain.computeUnits.buy, priorityMicroLamportsPerCU: priority,
                             submittedTick: tick, instruction: .buyExactSolIn(mint: m, spendableLamports: lamports, minTokensOut: Slippage.minOut(q.tokens, bps: slippage)))
        let tipped = max(tip, Bundles.minTipLamports)
        guard world.pointee.chain.lamports[Int(w)] >= lamports &+ tx.feeLamports(baseFeePerSignature: config.chain.baseFeeLamportsPerSignature) &+ tipped else {
            out.append(.tradeRejected(TradeRejected(wallet: w, mint: m, side: .buy, reason: .insufficientFunds)))
            return
        }
        out.append(.ledger(.txSubmitted(tx)))
        out.append(.bundleSubmitted(BundleSubmitted(bundle: world.pointee.nextBundleID, payer: w, firstTx: tx.id, count: 1, tipLamports: tipped)))
    }

    /// A launch whose create and the creator's own extra buy go as one bundle: both land in the
    /// launch slot, the buy right after the create, or neither does.
    static func launchBundle(_ m: MintID, spec: TokenSpec, create: Transaction, world: UnsafePointer<World>, config: SimulationConfig, tick: Tick, into out: inout [Event]) {
        var curve = spec.curve
        if spec.initialBuyLamports > 0, let q = try? curve.quoteBuy(spendable: spec.initialBuyLamports, minTokensOut: 0) { curve.state = q.stateAfter }
        let expected = (try? curve.quoteBuy(spendable: spec.bundleBuyLamports, minTokensOut: 0))?.tokens ?? 0
        let buy = Transaction(id: create.id &+ 1, payer: spec.creator, computeUnits: config.chain.computeUnits.buy,
                              priorityMicroLamportsPerCU: spec.priorityMicroLamportsPerCU, submittedTick: tick,
                              instruction: .buyExactSolIn(mint: m, spendableLamports: spec.bundleBuyLamports, minTokensOut: Slippage.minOut(expected, bps: 1_000)))
        out.append(.ledger(.txSubmitted(create)))
        out.append(.ledger(.txSubmitted(buy)))
        out.append(.bundleSubmitted(BundleSubmitted(bundle: world.pointee.nextBundleID, payer: spec.creator, firstTx: create.id, count: 2,
                                                    tipLamports: max(spec.bundleTipLamports, Bundles.minTipLamports))))
    }
}

import SimCore
import Curves

/// Facts the mocked chain records. `Chain.apply(_:)` folds them into state; nothing else mutates it.
public enum LedgerEvent: Sendable, Hashable {
    /// A transaction reached the leader and waits in the mempool.
    case txSubmitted(Transaction)
    /// A transaction left without landing (lost, mempool full, or its payer cannot pay the fee).
    case txDropped(TxDropped)
    /// A transaction landed in a block; its fee is charged whatever its instruction does.
    case txIncluded(TxIncluded)
    /// A transaction waited past the expiry window.
    case txExpired(TxExpired)
    /// `create` succeeded: the mint and its bonding curve exist.
    case tokenCreated(TokenCreated)
    /// `create` failed; nothing but the fee was spent.
    case createFailed(CreateFailed)
    /// A buy or sell on a bonding curve went through.
    case tradeExecuted(TradeExecuted)
    /// A buy or sell landed but the program refused it.
    case tradeFailed(TradeFailed)
    /// The last sellable token was bought.
    case curveCompleted(CurveCompleted)
    /// The completed curve's reserves moved to the canonical pool.
    case curveMigrated(CurveMigrated)
    /// A plain lamport transfer (rewards claims).
    case transfer(Transfer)
    /// A standard airdrop transaction went through: tokens moved to new token accounts.
    case tokensAirdropped(TokensAirdropped)
    /// A compressed-token instruction went through: inputs nullified, outputs appended.
    case compressedTokensMoved(CompressedTokensMoved)
    /// A token instruction (standard or compressed airdrop, transfer, compress, decompress) landed
    /// but was refused.
    case tokenInstructionFailed(TokenInstructionFailed)
    /// A swap on a migrated token's PumpSwap pool went through (a refused one is `tradeFailed`).
    case poolTradeExecuted(PoolTradeExecuted)
    /// A landed bundle's tip, paid to the validator.
    case tipPaid(TipPaid)
}

public struct TipPaid: Sendable, Hashable {
    public var payer: AccountID
    public var lamports: UInt64
    public init(payer: AccountID, lamports: UInt64) { self.payer = payer; self.lamports = lamports }
}

/// A PumpSwap swap: `base` tokens out of the pool (buy) or into it (sell) for `rawQuote`
/// lamports into or out of it; the LP fee stays in the pool, the protocol fee goes to the fee
/// recipient and the creator fee to the creator vault.
public struct PoolTradeExecuted: Sendable, Hashable {
    public var txID: TxID
    public var wallet: AccountID
    public var mint: MintID
    public var side: TradeSide
    public var base: UInt64
    public var rawQuote: UInt64
    public var lpFee: UInt64
    public var protocolFee: UInt64
    public var creatorFee: UInt64
    /// Rent for the buyer's new token account (0 if it had one).
    public var rentLamports: UInt64
    public init(txID: TxID, wallet: AccountID, mint: MintID, side: TradeSide, base: UInt64, rawQuote: UInt64,
                lpFee: UInt64, protocolFee: UInt64, creatorFee: UInt64, rentLamports: UInt64) {
        self.txID = txID; self.wallet = wallet; self.mint = mint; self.side = side; self.base = base; self.rawQuote = rawQuote
        self.lpFee = lpFee; self.protocolFee = protocolFee; self.creatorFee = creatorFee; self.rentLamports = rentLamports
    }

    /// Every fee, or nil past 2^64.
    public var checkedFees: UInt64? {
        let a = lpFee.addingReportingOverflow(protocolFee)
        guard !a.overflow else { return nil }
        let b = a.partialValue.addingReportingOverflow(creatorFee)
        return b.overflow ? nil : b.partialValue
    }

    /// Lamports the buyer paid or the seller received (rent excluded); nil when they cannot be.
    public var checkedUserQuote: UInt64? {
        guard let fees = checkedFees else { return nil }
        if side == .sell { return fees <= rawQuote ? rawQuote - fees : nil }
        let t = rawQuote.addingReportingOverflow(fees)
        return t.overflow ? nil : t.partialValue
    }
}

public struct TokensAirdropped: Sendable, Hashable {
    public var txID: TxID
    public var payer: AccountID
    public var mint: MintID
    public var firstRecipient: AccountID
    public var count: UInt32
    public var amount: UInt64
    /// Rent for the token accounts it created, lamports (paid by the payer).
    public var rentLamports: UInt64
    public init(txID: TxID, payer: AccountID, mint: MintID, firstRecipient: AccountID, count: UInt32, amount: UInt64, rentLamports: UInt64) {
        self.txID = txID; self.payer = payer; self.mint = mint; self.firstRecipient = firstRecipient; self.count = count
        self.amount = amount; self.rentLamports = rentLamports
    }
}

/// The input leaves one compressed move spends: at most `Chain.maxCompressedInputs` (Light's
/// limit, 8), held inline. With them inline every event is plain data, copied as bytes: as an
/// array they made each copy of an event an outlined value-witness call with reference
/// counting, on every event of a run (a few per cent of launch-frenzy's profile).
public struct CompressedInputs: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral, CustomStringConvertible {
    public static let capacity = 8
    // Unused lanes stay zero, so the synthesised equality and hash see the leaves only.
    private var leaves = SIMD8<UInt32>()
    private var length: UInt8 = 0

    public init() {}
    public init(arrayLiteral elements: UInt32...) { self.init(elements) }
    public init<S: Sequence<UInt32>>(_ leaves: S) {
        for leaf in leaves { append(leaf) }
    }
    /// Appends a leaf; the caller keeps within `capacity` (a precondition).
    public mutating func append(_ leaf: UInt32) {
        precondition(Int(length) < Self.capacity, "a compressed move spends at most \(Self.capacity) inputs")
        leaves[Int(length)] = leaf
        length += 1
    }
    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(length) }
    public subscript(i: Int) -> UInt32 {
        precondition(i >= 0 && i < Int(length), "input \(i) of \(length)")
        return leaves[i]
    }
    public var description: String { "\(Array(self))" }
}

/// One compressed-token instruction's effect. Every compressed move has this shape: the payer's
/// input accounts (leaf indices) are nullified; `fromStandard` leaves the payer's token account
/// (compress) and `toStandard` enters it (decompress); outputs are appended from leaf
/// `firstLeaf`: one of `amount` for each of `recipients` accounts from `firstRecipient`, then
/// one of `change` back to the payer if it is not zero. Leaf hashes (Light's v1 token-account
/// hash) and roots are recomputed by `apply`; the state digest carries the root.
public struct CompressedTokensMoved: Sendable, Hashable {
    public var txID: TxID
    public var payer: AccountID
    public var mint: MintID
    public var inputs: CompressedInputs
    public var fromStandard: UInt64
    public var toStandard: UInt64
    public var firstRecipient: AccountID
    public var recipients: UInt32
    public var amount: UInt64
    public var change: UInt64
    public var firstLeaf: UInt32
    /// Rent for a token account that decompress had to open, lamports.
    public var rentLamports: UInt64
    public init(txID: TxID, payer: AccountID, mint: MintID, inputs: CompressedInputs, fromStandard: UInt64, toStandard: UInt64,
                firstRecipient: AccountID, recipients: UInt32, amount: UInt64, change: UInt64, firstLeaf: UInt32, rentLamports: UInt64) {
        self.txID = txID; self.payer = payer; self.mint = mint; self.inputs = inputs; self.fromStandard = fromStandard
        self.toStandard = toStandard; self.firstRecipient = firstRecipient; self.recipients = recipients; self.amount = amount
        self.change = change; self.firstLeaf = firstLeaf; self.rentLamports = rentLamports
    }
    /// Leaves appended.
    public var outputCount: UInt32 { recipients + (change > 0 ? 1 : 0) }
}

public struct TokenInstructionFailed: Sendable, Hashable {
    public var txID: TxID
    public var payer: AccountID
    public var mint: MintID
    public var reason: RejectReason
    public init(txID: TxID, payer: AccountID, mint: MintID, reason: RejectReason) {
        self.txID = txID; self.payer = payer; self.mint = mint; self.reason = reason
    }
}

public struct TxDropped: Sendable, Hashable {
    public var txID: TxID
    public var payer: AccountID
    /// The mint the transaction would have touched, for per-token counts.
    public var mint: MintID?
    public var reason: RejectReason
    public init(txID: TxID, payer: AccountID, mint: MintID?, reason: RejectReason) {
        self.txID = txID; self.payer = payer; self.mint = mint; self.reason = reason
    }
}

public struct TxIncluded: Sendable, Hashable {
    public var txID: TxID
    public var payer: AccountID
    /// Base plus priority fee charged, lamports.
    public var feeLamports: UInt64
    public var computeUnits: UInt32
    public init(txID: TxID, payer: AccountID, feeLamports: UInt64, computeUnits: UInt32) {
        self.txID = txID; self.payer = payer; self.feeLamports = feeLamports; self.computeUnits = computeUnits
    }
}

public struct TxExpired: Sendable, Hashable {
    public var txID: TxID
    public var payer: AccountID
    /// The mint the transaction would have touched, for per-token counts.
    public var mint: MintID?
    public init(txID: TxID, payer: AccountID, mint: MintID?) { self.txID = txID; self.payer = payer; self.mint = mint }
}

public struct TokenCreated: Sendable, Hashable {
    public var mint: MintID
    public var creator: AccountID
    public init(mint: MintID, creator: AccountID) { self.mint = mint; self.creator = creator }
}

public struct CreateFailed: Sendable, Hashable {
    public var txID: TxID
    public var mint: MintID
    public var creator: AccountID
    public var reason: RejectReason
    public init(txID: TxID, mint: MintID, creator: AccountID, reason: RejectReason) {
        self.txID = txID; self.mint = mint; self.creator = creator; self.reason = reason
    }
}

public struct TradeExecuted: Sendable, Hashable {
    public var txID: TxID
    public var wallet: AccountID
    public var mint: MintID
    public var side: TradeSide
    /// Tokens moved (base units).
    public var tokens: UInt64
    /// Lamports into or out of the curve, before fees.
    public var curveSol: UInt64
    public var protocolFee: UInt64
    public var creatorFee: UInt64
    /// Rent deposited for the buyer's new token account (0 if it had one).
    public var rentLamports: UInt64

    public init(txID: TxID, wallet: AccountID, mint: MintID, side: TradeSide, tokens: UInt64, curveSol: UInt64,
                protocolFee: UInt64, creatorFee: UInt64, rentLamports: UInt64) {
        self.txID = txID; self.wallet = wallet; self.mint = mint; self.side = side; self.tokens = tokens
        self.curveSol = curveSol; self.protocolFee = protocolFee; self.creatorFee = creatorFee; self.rentLamports = rentLamports
    }

    /// Lamports the buyer paid or the seller received, fees included (rent excluded).
    public var solTotal: UInt64 {
        side == .buy ? curveSol &+ protocolFee &+ creatorFee : curveSol &- protocolFee &- creatorFee
    }

    /// `solTotal`, or nil when the amounts cannot be (fees above a sell's curve amount, a buy past 2^64).
    public var checkedSolTotal: UInt64? {
        let fees = protocolFee.addingReportingOverflow(creatorFee)
        guard !fees.overflow else { return nil }
        if side == .sell { return fees.partialValue <= curveSol ? curveSol - fees.partialValue : nil }
        let total = curveSol.addingReportingOverflow(fees.partialValue)
        return total.overflow ? nil : total.partialValue
    }
}

public struct TradeFailed: Sendable, Hashable {
    public var txID: TxID
    public var wallet: AccountID
    public var mint: MintID
    public var side: TradeSide
    public var reason: RejectReason
    public init(txID: TxID, wallet: AccountID, mint: MintID, side: TradeSide, reason: RejectReason) {
        self.txID = txID; self.wallet = wallet; self.mint = mint; self.side = side; self.reason = reason
    }
}

public struct CurveCompleted: Sendable, Hashable {
    public var mint: MintID
    public init(mint: MintID) { self.mint = mint }
}

public struct CurveMigrated: Sendable, Hashable {
    public var mint: MintID
    public var baseTokens: UInt64
    public var quoteLamports: UInt64
    public var migrationFeeLamports: UInt64
    public init(mint: MintID, baseTokens: UInt64, quoteLamports: UInt64, migrationFeeLamports: UInt64) {
        self.mint = mint; self.baseTokens = baseTokens; self.quoteLamports = quoteLamports; self.migrationFeeLamports = migrationFeeLamports
    }
}

public struct Transfer: Sendable, Hashable {
    public var from: AccountID
    public var to: AccountID
    public var lamports: UInt64
    public init(from: AccountID, to: AccountID, lamports: UInt64) { self.from = from; self.to = to; self.lamports = lamports }
}

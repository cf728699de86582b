import SimCore
import Curves

/// A transaction's sequence number, assigned at submission; arrival order.
public typealias TxID = UInt64

/// What a transaction asks the chain to do.
public enum Instruction: Sendable, Hashable {
    /// pump.fun `create` followed by an initial `buy_exact_sol_in` in the same transaction.
    case create(mint: MintID, initialBuyLamports: UInt64)
    /// `buy_exact_sol_in(spendable, min_tokens_out)`.
    case buyExactSolIn(mint: MintID, spendableLamports: UInt64, minTokensOut: UInt64)
    /// `buy(amount, max_sol_cost)`.
    case buyExactTokens(mint: MintID, tokens: UInt64, maxSolCostLamports: UInt64)
    /// `sell(amount, min_sol_output)`.
    case sell(mint: MintID, tokens: UInt64, minSolOutLamports: UInt64)
    /// Claim accrued rewards from the rewards vault.
    case claimRewards
    /// Standard SPL airdrop: transfer `amount` from the payer's token account to each of `count`
    /// accounts from `firstRecipient`, creating their token accounts (the payer pays the rent).
    case airdrop(mint: MintID, firstRecipient: AccountID, count: UInt32, amount: UInt64)
    /// Compressed airdrop: compress `count × amount` of the payer's tokens into one compressed
    /// token account (a state-tree leaf) per recipient.
    case compressedAirdrop(mint: MintID, firstRecipient: AccountID, count: UInt32, amount: UInt64)
    /// Compressed transfer: spend (nullify) the payer's compressed accounts, append one for the
    /// recipient and one for the change.
    case compressedTransfer(mint: MintID, to: AccountID, amount: UInt64)
    /// Move `amount` from the payer's token account into a compressed account of its own.
    case compress(mint: MintID, amount: UInt64)
    /// Move `amount` from the payer's compressed accounts into its token account.
    case decompress(mint: MintID, amount: UInt64)
    /// PumpSwap `buy(base_amount_out, max_quote_amount_in)` on a migrated token's pool.
    case poolBuy(mint: MintID, baseOut: UInt64, maxQuoteInLamports: UInt64)
    /// PumpSwap `sell(base_amount_in, min_quote_amount_out)`.
    case poolSell(mint: MintID, baseIn: UInt64, minQuoteOutLamports: UInt64)

    /// The instruction's kind: one numbering for the mempool's canonical encoding, the trace
    /// codec and the JSON name.
    public enum Kind: UInt8, Sendable, CaseIterable {
        case create = 0, buyExactSolIn, buyExactTokens, sell, claimRewards, airdrop, compressedAirdrop, compressedTransfer, compress, decompress,
             poolBuy, poolSell

        /// The name in NDJSON (the pump.fun instruction's name where it is one).
        public var name: String {
            switch self {
            case .create: return "create"
            case .buyExactSolIn: return "buy_exact_sol_in"
            case .buyExactTokens: return "buy"
            case .sell: return "sell"
            case .claimRewards: return "claim_rewards"
            case .airdrop: return "airdrop"
            case .compressedAirdrop: return "compressed_airdrop"
            case .compressedTransfer: return "compressed_transfer"
            case .compress: return "compress"
            case .decompress: return "decompress"
            case .poolBuy: return "pump_amm_buy"
            case .poolSell: return "pump_amm_sell"
            }
        }
    }

    @inlinable public var kind: Kind {
        switch self {
        case .create: return .create
        case .buyExactSolIn: return .buyExactSolIn
        case .buyExactTokens: return .buyExactTokens
        case .sell: return .sell
        case .claimRewards: return .claimRewards
        case .airdrop: return .airdrop
        case .compressedAirdrop: return .compressedAirdrop
        case .compressedTransfer: return .compressedTransfer
        case .compress: return .compress
        case .decompress: return .decompress
        case .poolBuy: return .poolBuy
        case .poolSell: return .poolSell
        }
    }

    /// The mint a trade, create or token instruction touches, if any.
    public var mint: MintID? {
        switch self {
        case .create(let m, _), .buyExactSolIn(let m, _, _), .buyExactTokens(let m, _, _), .sell(let m, _, _): return m
        case .airdrop(let m, _, _, _), .compressedAirdrop(let m, _, _, _), .compressedTransfer(let m, _, _), .compress(let m, _), .decompress(let m, _): return m
        case .poolBuy(let m, _, _), .poolSell(let m, _, _): return m
        case .claimRewards: return nil
        }
    }

    /// True for instructions that write the state tree.
    public var writesStateTree: Bool {
        switch self {
        case .compressedAirdrop, .compressedTransfer, .compress, .decompress: return true
        default: return false
        }
    }
}

/// A signed transaction waiting for, or landing in, a block.
public struct Transaction: Sendable, Hashable {
    public var id: TxID
    /// Fee payer and signer.
    public var payer: AccountID
    /// Signatures (base fee is charged per signature).
    public var signatures: UInt8
    /// Compute units requested and consumed.
    public var computeUnits: UInt32
    /// Priority fee price, micro-lamports per compute unit.
    public var priorityMicroLamportsPerCU: UInt64
    /// Tick at which the transaction reached the leader.
    public var submittedTick: Tick
    public var instruction: Instruction

    public init(id: TxID, payer: AccountID, signatures: UInt8 = 1, computeUnits: UInt32,
                priorityMicroLamportsPerCU: UInt64, submittedTick: Tick, instruction: Instruction) {
        self.id = id
        self.payer = payer
        self.signatures = signatures
        self.computeUnits = computeUnits
        self.priorityMicroLamportsPerCU = priorityMicroLamportsPerCU
        self.submittedTick = submittedTick
        self.instruction = instruction
    }

    /// Priority fee in lamports: `ceil(cu × price / 10⁶)`.
    @inlinable public var priorityFeeLamports: UInt64 { Self.priorityFee(computeUnits: computeUnits, microLamportsPerCU: priorityMicroLamportsPerCU) }

    /// `ceil(cu × price / 10⁶)` lamports (saturating: a fee past 2^64 lamports cannot be paid anyway).
    @inlinable public static func priorityFee(computeUnits cu: UInt32, microLamportsPerCU price: UInt64) -> UInt64 {
        let (p, o) = UInt64(cu).multipliedReportingOverflow(by: price)
        if !o && p <= UInt64.max - 999_999 { return (p + 999_999) / 1_000_000 }
        return UInt64(clamping: WideMath.divide(UInt128(cu) * UInt128(price) + 999_999, 1_000_000))
    }

    /// Base plus priority fee, lamports.
    @inlinable public func feeLamports(baseFeePerSignature: UInt64) -> UInt64 {
        baseFeePerSignature &* UInt64(signatures) &+ priorityFeeLamports
    }

    /// The write-locked account that limits how many such transactions fit in one block:
    /// the bonding curve of the mint for trades, the rewards vault for claims.
    @inlinable public var lane: Lane {
        switch instruction {
        case .create, .airdrop: return .unlimited
        case .claimRewards: return .rewardsVault
        case .compressedAirdrop, .compressedTransfer, .compress, .decompress: return .stateTree
        case .buyExactSolIn(let m, _, _), .buyExactTokens(let m, _, _), .sell(let m, _, _): return .curve(m)
        // The pool account takes the curve's place as the token's write-locked account once it migrates.
        case .poolBuy(let m, _, _), .poolSell(let m, _, _): return .curve(m)
        }
    }
}

/// A write-lock group for block packing.
public enum Lane: Sendable, Hashable {
    /// No shared writable account (each create writes fresh accounts).
    case unlimited
    /// The rewards vault.
    case rewardsVault
    /// The bonding curve account of a mint.
    case curve(MintID)
    /// The state tree account (every compressed-token instruction writes it).
    case stateTree

    /// Dense index: 0 unlimited, 1 vault, 2 state tree, 3 + mint for curves.
    @inlinable public var index: Int {
        switch self {
        case .unlimited: return 0
        case .rewardsVault: return 1
        case .stateTree: return 2
        case .curve(let m): return 3 + Int(m)
        }
    }
}

/// Why a trade, launch or transaction did not go through. Curve failures keep the program's names.
public enum RejectReason: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case tooMuchSolRequired = 0
    case tooLittleSolReceived
    case bondingCurveComplete
    case buyZeroAmount
    case notEnoughTokensToBuy
    case notEnoughTokensToSell
    case overflow
    case buySlippageBelowMinTokensOut
    /// The payer cannot cover the trade (lamports) on top of the fee.
    case insufficientFunds
    /// The seller holds fewer tokens than it sells.
    case insufficientTokens
    /// The payer cannot pay the transaction fee; nothing is charged.
    case insufficientFundsForFee
    /// The transaction waited longer than the expiry window without landing.
    case expired
    /// Lost on the way to the leader (the drop model).
    case networkDropped
    /// The pending-transaction queue was full.
    case mempoolFull
    /// The token is not open for trading (not launched yet, or migrated).
    case tokenNotTradable
    /// More trades than the per-wallet rate limit allows in the window.
    case rateLimited
    /// The wallet is younger than the launch-protection minimum age.
    case accountTooNew
    /// Launch parameters: name longer than 32 bytes (program error NameTooLong).
    case nameTooLong
    /// Launch parameters: symbol longer than 10 bytes (program error SymbolTooLong).
    case symbolTooLong
    /// Launch parameters: the token was already launched.
    case alreadyLaunched
    /// Nothing accrued to claim.
    case nothingToClaim
    /// The rewards vault cannot pay the claim.
    case rewardsVaultEmpty
    /// The wallet has not joined the virtual environment.
    case notAParticipant
    /// The state tree has no room for the outputs.
    case stateTreeFull
    /// Passed preflight, then lost before the leader executed it (a fault: `drop_after_preflight_bps`).
    case droppedAfterPreflight
    /// PumpSwap: the swap would cost more than the most the user would pay, or give less than the
    /// least it would take (the pool program's ExceededSlippage).
    case exceededSlippage
    /// PumpSwap: the pool cannot give that many tokens, or a sell's fees eat its output.
    case insufficientLiquidity
    /// A multisig's launch asked for outside an approved proposal.
    case needsMultisigApproval
    /// The transaction's bundle did not land (another of its transactions would have failed, or it did not fit the block).
    case bundleFailed

    /// The reason for a curve error.
    public init(_ e: CurveError) {
        switch e {
        case .tooMuchSolRequired: self = .tooMuchSolRequired
        case .tooLittleSolReceived: self = .tooLittleSolReceived
        case .bondingCurveComplete, .bondingCurveNotComplete: self = .bondingCurveComplete
        case .buyZeroAmount: self = .buyZeroAmount
        case .notEnoughTokensToBuy: self = .notEnoughTokensToBuy
        case .notEnoughTokensToSell: self = .notEnoughTokensToSell
        case .overflow: self = .overflow
        case .buySlippageBelowMinTokensOut: self = .buySlippageBelowMinTokensOut
        }
    }

    /// The name shown everywhere (summaries, JSON, traces as NDJSON, reports): the pump.fun
    /// program's error name where the program has one (`TooMuchSolRequired`, `NameTooLong`),
    /// Solana's where the runtime has one (`InsufficientFundsForFee`), and a name in the same
    /// style for the platform's and the simulator's own reasons.
    public var description: String {
        switch self {
        case .tooMuchSolRequired: return "TooMuchSolRequired"
        case .tooLittleSolReceived: return "TooLittleSolReceived"
        case .bondingCurveComplete: return "BondingCurveComplete"
        case .buyZeroAmount: return "BuyZeroAmount"
        case .notEnoughTokensToBuy: return "NotEnoughTokensToBuy"
        case .notEnoughTokensToSell: return "NotEnoughTokensToSell"
        case .overflow: return "Overflow"
        case .buySlippageBelowMinTokensOut: return "BuySlippageBelowMinTokensOut"
        case .insufficientFunds: return "InsufficientFunds"
        case .insufficientTokens: return "InsufficientTokens"
        case .insufficientFundsForFee: return "InsufficientFundsForFee"
        case .expired: return "Expired"
        case .networkDropped: return "NetworkDropped"
        case .mempoolFull: return "MempoolFull"
        case .tokenNotTradable: return "TokenNotTradable"
        case .rateLimited: return "RateLimited"
        case .accountTooNew: return "AccountTooNew"
        case .nameTooLong: return "NameTooLong"
        case .symbolTooLong: return "SymbolTooLong"
        case .alreadyLaunched: return "AlreadyLaunched"
        case .nothingToClaim: return "NothingToClaim"
        case .rewardsVaultEmpty: return "RewardsVaultEmpty"
        case .notAParticipant: return "NotAParticipant"
        case .stateTreeFull: return "StateTreeFull"
        case .droppedAfterPreflight: return "DroppedAfterPreflight"
        case .exceededSlippage: return "ExceededSlippage"
        case .insufficientLiquidity: return "InsufficientLiquidity"
        case .needsMultisigApproval: return "NeedsMultisigApproval"
        case .bundleFailed: return "BundleFailed"
        }
    }

    /// True for the programs' slippage errors (the curve's three, the pool's one).
    public var isSlippage: Bool {
        self == .tooMuchSolRequired || self == .tooLittleSolReceived || self == .buySlippageBelowMinTokensOut || self == .exceededSlippage
    }
}

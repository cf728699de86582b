import SimCore
import Curves
import Ledger
import Rewards

/// A fact that happened. `evolve` folds events into the `World`; nothing else changes it.
public enum Event: Sendable, Hashable {
    /// Chain facts: submissions, inclusions, trades, completions.
    case ledger(LedgerEvent)
    /// Rewards facts: points, tiers, claims.
    case rewards(RewardsEvent)
    /// A creator asked to launch a token.
    case launchRequested(LaunchRequested)
    /// The launch's parameters or funds were refused; nothing reached the chain.
    case launchRejected(LaunchRejected)
    /// A virtual environment was opened over a copy of a token's curve.
    case environmentCreated(EnvironmentCreated)
    /// A created token is open for trading (after its initial buy).
    case tradingOpened(TradingOpened)
    /// The platform refused a trade before it reached the chain (limits, preflight).
    case tradeRejected(TradeRejected)
    /// A claim was refused.
    case claimFailed(ClaimFailed)
    case chatPosted(ChatPosted)
    case virtualJoined(VirtualJoined)
    case virtualTradeExecuted(VirtualTradeExecuted)
    case virtualTradeRejected(VirtualTradeRejected)
    /// End of a slot: what the block held and what still waits.
    case slotEnded(SlotEnded)
    /// A command from outside the simulation (a WebSocket frame, a REST call) entering at this
    /// slot; recorded so that an interactive session replays and reruns (it changes no state by
    /// itself: the command's own events follow).
    case inputReceived(InputReceived)
    /// Multisig proposals: created, approved, executed (its action's events follow), expired, refused.
    case proposalCreated(ProposalCreated)
    case proposalApproved(ProposalApproved)
    case proposalExecuted(ProposalExecuted)
    case proposalExpired(ProposalExpired)
    case proposalRefused(ProposalRefused)
    /// Bundles: sent, landed whole, dropped whole.
    case bundleSubmitted(BundleSubmitted)
    case bundleLanded(BundleLanded)
    case bundleDropped(BundleDropped)

    /// A compressed move large enough that its leaves are worth hashing on all cores beforehand.
    @inlinable public var compressedMoveToPrepare: CompressedTokensMoved? {
        guard case .ledger(.compressedTokensMoved(let c)) = self, c.outputCount >= CompressedState.parallelLeaves else { return nil }
        return c
    }

    /// The event type's name as shown in NDJSON and summaries.
    public var typeName: String {
        switch self {
        case .ledger(let e):
            switch e {
            case .txSubmitted: return "TxSubmitted"
            case .txDropped: return "TxDropped"
            case .txIncluded: return "TxIncluded"
            case .txExpired: return "TxExpired"
            case .tokenCreated: return "TokenCreated"
            case .createFailed: return "CreateFailed"
            case .tradeExecuted: return "TradeExecuted"
            case .tradeFailed: return "TradeFailed"
            case .curveCompleted: return "CurveCompleted"
            case .curveMigrated: return "CurveMigrated"
            case .transfer: return "Transfer"
            case .tokensAirdropped: return "TokensAirdropped"
            case .compressedTokensMoved: return "CompressedTokensMoved"
            case .tokenInstructionFailed: return "TokenInstructionFailed"
            case .poolTradeExecuted: return "PoolTradeExecuted"
            case .tipPaid: return "TipPaid"
            }
        case .rewards(let e):
            switch e {
            case .pointsAwarded: return "PointsAwarded"
            case .tierChanged: return "TierChanged"
            case .rewardsClaimed: return "RewardsClaimed"
            }
        case .launchRequested: return "LaunchRequested"
        case .launchRejected: return "LaunchRejected"
        case .environmentCreated: return "EnvironmentCreated"
        case .tradingOpened: return "TradingOpened"
        case .tradeRejected: return "TradeRejected"
        case .claimFailed: return "ClaimFailed"
        case .chatPosted: return "ChatPosted"
        case .virtualJoined: return "VirtualJoined"
        case .virtualTradeExecuted: return "VirtualTradeExecuted"
        case .virtualTradeRejected: return "VirtualTradeRejected"
        case .slotEnded: return "SlotEnded"
        case .inputReceived: return "InputReceived"
        case .proposalCreated: return "ProposalCreated"
        case .proposalApproved: return "ProposalApproved"
        case .proposalExecuted: return "ProposalExecuted"
        case .proposalExpired: return "ProposalExpired"
        case .proposalRefused: return "ProposalRefused"
        case .bundleSubmitted: return "BundleSubmitted"
        case .bundleLanded: return "BundleLanded"
        case .bundleDropped: return "BundleDropped"
        }
    }
}

/// An event with its place in the total order.
public struct EventRecord: Sendable, Hashable {
    public var tick: Tick
    /// Index of the event in the run, from 0.
    public var seq: UInt64
    public var event: Event
    public init(tick: Tick, seq: UInt64, event: Event) { self.tick = tick; self.seq = seq; self.event = event }
}

public struct InputReceived: Sendable, Hashable {
    /// Where it came from.
    /// Where it came from; the numbers are part of the trace format (append only).
    public enum Source: UInt8, Sendable, Hashable, CaseIterable {
        case websocket = 0, api = 1, voice = 2
        /// The name scenarios and JSON use.
        public var name: String {
            switch self {
            case .websocket: return "websocket"
            case .api: return "api"
            case .voice: return "voice"
            }
        }
    }
    public var source: Source
    public var command: Command
    public init(source: Source, command: Command) { self.source = source; self.command = command }
}

public struct LaunchRequested: Sendable, Hashable {
    public var mint: MintID
    public var creator: AccountID
    public init(mint: MintID, creator: AccountID) { self.mint = mint; self.creator = creator }
}

public struct LaunchRejected: Sendable, Hashable {
    public var mint: MintID
    public var creator: AccountID
    public var reason: RejectReason
    public init(mint: MintID, creator: AccountID, reason: RejectReason) { self.mint = mint; self.creator = creator; self.reason = reason }
}

public struct EnvironmentCreated: Sendable, Hashable {
    public var environment: UInt32
    public var mint: MintID
    public var playLamports: UInt64
    public init(environment: UInt32, mint: MintID, playLamports: UInt64) {
        self.environment = environment; self.mint = mint; self.playLamports = playLamports
    }
}

public struct TradingOpened: Sendable, Hashable {
    public var mint: MintID
    public init(mint: MintID) { self.mint = mint }
}

public struct TradeRejected: Sendable, Hashable {
    public var wallet: AccountID
    public var mint: MintID
    public var side: TradeSide
    public var reason: RejectReason
    public init(wallet: AccountID, mint: MintID, side: TradeSide, reason: RejectReason) {
        self.wallet = wallet; self.mint = mint; self.side = side; self.reason = reason
    }
}

public struct ClaimFailed: Sendable, Hashable {
    public var wallet: AccountID
    public var reason: RejectReason
    public init(wallet: AccountID, reason: RejectReason) { self.wallet = wallet; self.reason = reason }
}

public struct ChatPosted: Sendable, Hashable {
    public var wallet: AccountID
    public var mint: MintID
    public var bytes: UInt32
    public init(wallet: AccountID, mint: MintID, bytes: UInt32) { self.wallet = wallet; self.mint = mint; self.bytes = bytes }
}

public struct VirtualJoined: Sendable, Hashable {
    public var environment: UInt32
    public var wallet: AccountID
    public var playLamports: UInt64
    public init(environment: UInt32, wallet: AccountID, playLamports: UInt64) {
        self.environment = environment; self.wallet = wallet; self.playLamports = playLamports
    }
}

public struct VirtualTradeExecuted: Sendable, Hashable {
    public var environment: UInt32
    public var wallet: AccountID
    public var side: TradeSide
    public var tokens: UInt64
    public var curveSol: UInt64
    public var protocolFee: UInt64
    public var creatorFee: UInt64
    public init(environment: UInt32, wallet: AccountID, side: TradeSide, tokens: UInt64, curveSol: UInt64, protocolFee: UInt64, creatorFee: UInt64) {
        self.environment = environment; self.wallet = wallet; self.side = side; self.tokens = tokens
        self.curveSol = curveSol; self.protocolFee = protocolFee; self.creatorFee = creatorFee
    }
    /// Play lamports paid or received, fees included.
    public var solTotal: UInt64 { side == .buy ? curveSol &+ protocolFee &+ creatorFee : curveSol &- protocolFee &- creatorFee }
    /// `solTotal`, or nil when the amounts cannot be.
    public var checkedSolTotal: UInt64? {
        TradeExecuted(txID: 0, wallet: wallet, mint: 0, side: side, tokens: tokens, curveSol: curveSol, protocolFee: protocolFee,
                      creatorFee: creatorFee, rentLamports: 0).checkedSolTotal
    }
}

public struct VirtualTradeRejected: Sendable, Hashable {
    public var environment: UInt32
    public var wallet: AccountID
    public var side: TradeSide
    public var reason: RejectReason
    public init(environment: UInt32, wallet: AccountID, side: TradeSide, reason: RejectReason) {
        self.environment = environment; self.wallet = wallet; self.side = side; self.reason = reason
    }
}

public struct SlotEnded: Sendable, Hashable {
    /// Transactions that landed in the slot's block.
    public var transactions: UInt32
    /// Compute units the block used.
    public var computeUnits: UInt64
    /// Transactions still waiting after the block.
    public var pending: UInt32
    public init(transactions: UInt32, computeUnits: UInt64, pending: UInt32) {
        self.transactions = transactions; self.computeUnits = computeUnits; self.pending = pending
    }
}

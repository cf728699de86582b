import SimCore
import Curves
import Ledger

/// Everything a run is judged by, in one value: per token, the chain, compression, rewards,
/// virtual environments, platform limits, and the run's digests. Folded from the events
/// (`Metrics`) and the final state, so a run and the replay of its trace give the same value.
///
/// Every figure the tool shows comes from here: the summary for people, `run --json`, catalog
/// metrics, golden files and reports are renderings of it. Amounts are integers in their base
/// unit (lamports; token base units, 6 decimals; prices in nanolamports per whole token);
/// `Double` appears only for statistics (averages, Gini, returns).
public struct RunOutcome: Sendable, Codable, Equatable {
    /// The shape of this type in stored JSON (catalog rows, sweep points); 1 was the shape of
    /// engine 0.2 (SOL as doubles), which `OutcomeCodec` still reads.
    public static let currentVersion = 2
    public var outcomeVersion: Int = RunOutcome.currentVersion
    public var scenario: String
    public var seed: UInt64
    /// Length of a slot, milliseconds.
    public var slotMillis: UInt64
    /// Slots simulated.
    public var durationSlots: UInt64
    /// Agents in all groups.
    public var agents: UInt64
    public var tokens: [TokenOutcome]
    public var chain: ChainOutcome
    /// Present when a token instruction ran or the state tree was written.
    public var compression: CompressionOutcome?
    /// Present when the scenario has multisigs: each one's proposals and treasury.
    public var multisigs: [MultisigOutcome]?
    /// Present when bundles were sent: how many landed, were dropped (by reason), the tips paid.
    public var bundles: BundleOutcome?
    public var rewards: RewardsOutcome
    public var environments: [EnvironmentOutcome]
    /// Trades the platform refused for its rate limit and its launch protection (all tokens).
    public var rateLimited: UInt64
    public var accountTooNew: UInt64
    public var chatMessages: UInt64
    /// Events in the run.
    public var events: UInt64
    /// State digests taken during the run, the last one after the final event.
    public var checkpoints: [CheckpointOutcome]

    /// Simulated milliseconds.
    public var durationMillis: UInt64 { durationSlots &* slotMillis }
    /// Digest of the final state (hex).
    public var digest: String { checkpoints.last?.digest ?? "" }
}

/// One token's outcome. Ticks are slots from the run's start; durations are from the moment
/// trading opened.
public struct TokenOutcome: Sendable, Codable, Equatable {
    /// Trades in one size bucket (`TradeBuckets`): how many, and their mean slippage and price
    /// impact in percent of the spot price before the trade.
    public struct Bucket: Sendable, Codable, Equatable {
        public var label: String
        public var trades: UInt64
        public var avgSlippagePct: Double
        public var avgImpactPct: Double
    }
    /// A labelled count (rejection reasons, holder histogram).
    public struct Count: Sendable, Codable, Equatable {
        public var label: String
        public var count: UInt64
    }
    /// The constant-product (PumpSwap) pool a migrated curve's reserves went to, at the end of the run.
    public struct Pool: Sendable, Codable, Equatable {
        /// Base reserve, base units.
        public var baseTokens: UInt64
        /// Quote reserve, lamports.
        public var quoteLamports: UInt64
        /// Swaps on the pool (nil in outcomes written before pools traded).
        public var trades: UInt64?
        /// LP fees the swaps left in the pool, lamports.
        public var lpFeesLamports: UInt64?
    }

    public var symbol: String
    public var name: String
    /// `pumpfun`, `linear` or `exponential`.
    public var curveFamily: String
    /// The fee profile's name (`v2025`, `custom`, …).
    public var feeProfile: String
    /// Why the launch was refused (the program's error name), if it was.
    public var launchRejected: String?
    /// Tick trading opened; nil if the token never launched.
    public var openTick: UInt64?
    /// Tick the curve completed; nil if it did not graduate.
    public var graduationTick: UInt64?
    /// Slots and milliseconds from trading open to completion.
    public var graduationSlots: UInt64?
    public var graduationMillis: UInt64?
    /// Real SOL in the curve at completion, or at the end of the run, lamports.
    public var solRaisedLamports: UInt64
    /// Spot price at the end, the spot price before the first trade, and the highest spot price
    /// after any trade: nanolamports per whole token (0 for a token that never launched).
    public var finalPriceNanos: UInt64
    public var startPriceNanos: UInt64
    public var peakPriceNanos: UInt64
    /// Market cap at the final spot price (total supply × price), lamports.
    public var marketCapLamports: UInt64
    /// Largest fall of the spot price from its running peak, bps.
    public var maxDrawdownBps: UInt64
    /// Trade fees to the protocol plus the pool-migration fee, lamports; the migration fee alone.
    public var protocolFeesLamports: UInt64
    public var migrationFeeLamports: UInt64
    /// Trade fees to the creator vault, lamports.
    public var creatorFeesLamports: UInt64
    public var buys: UInt64
    public var sells: UInt64
    /// Lamports traded, fees included.
    public var volumeLamports: UInt64
    public var buckets: [Bucket]
    /// Wallets whose buy landed in the first `earlyBuyerSlots` of trading (creator excluded),
    /// lamports they spent on the token and received from selling it over the whole run.
    public var earlyBuyers: UInt64
    public var earlyBuyerSlots: UInt64
    public var earlySpentLamports: UInt64
    public var earlyReceivedLamports: UInt64
    /// (SOL received + tokens still held at the final price − SOL spent) / SOL spent, percent.
    public var earlyBuyerReturnPct: Double?
    /// Accounts holding the token, standard and compressed (the curve's own tokens are not a holder).
    public var holders: UInt64
    /// Gini coefficient of the holders' balances (0 equal, (n−1)/n one holder).
    public var gini: Double
    /// The ten largest holdings' share of all holders' tokens, bps (floor).
    public var top10ShareBps: UInt64
    /// Holders by balance in whole tokens, smallest first.
    public var holderHistogram: [Count]
    /// Trades that did not go through, by the reason's name: refused by the platform, dropped,
    /// expired or failed on chain. `failedOnChain` counts the last kind alone.
    public var rejected: [Count]
    public var failedOnChain: [Count]
    /// (tick, spot price in nanolamports) samples, and (window start tick, lamports traded) per
    /// price-sample window with trades.
    public var pricePath: [[UInt64]]
    public var volumePath: [[UInt64]]
    /// Per window of `candleSlots` slots with trades: [start tick, open, high, low, close (nanolamports),
    /// lamports traded, trades]. nil where a sweep row leaves them out.
    public var candles: [[UInt64]]?
    public var candleSlots: UInt64?
    /// The migrated pool, if the curve completed.
    public var pool: Pool?
    /// Tokens bought by transactions that landed in bundles (base units), when the run had bundles.
    public var bundledTokens: UInt64?
}

public struct BundleOutcome: Sendable, Codable, Equatable {
    public var submitted: UInt64
    public var landed: UInt64
    public var dropped: [TokenOutcome.Count]
    public var tipsLamports: UInt64
}

/// A multisig's proposals over the run and its treasury at the end.
public struct MultisigOutcome: Sendable, Codable, Equatable {
    public var name: String
    public var threshold: UInt32
    public var signers: UInt32
    public var proposals: UInt64
    public var approvals: UInt64
    public var executed: UInt64
    public var expired: UInt64
    /// Still pending at the end (neither executed nor expired).
    public var pending: UInt64
    /// Refused proposals and approvals by reason (`NotASigner`, `ProposalExpired`, …).
    public var refused: [TokenOutcome.Count]
    public var treasuryLamports: UInt64
}

/// Chain-wide figures.
public struct ChainOutcome: Sendable, Codable, Equatable {
    public var slots: UInt64
    /// Transactions that reached the leader, landed in a block (whatever the instruction did),
    /// landed but were refused by the program, waited past the expiry window, or were lost or
    /// refused before landing.
    public var submitted: UInt64
    public var landed: UInt64
    public var failed: UInt64
    public var expired: UInt64
    public var dropped: UInt64
    /// Base and priority fees paid to validators, lamports.
    public var feesLamports: UInt64
    public var computeUnits: UInt64
    /// Slots that ended with transactions still waiting; the most that waited.
    public var congestedSlots: UInt64
    public var maxPending: UInt64
    /// Lamports locked as token-account rent at the end.
    public var rentLockedLamports: UInt64
}

/// Standard versus compressed token accounts, and the state tree.
public struct CompressionOutcome: Sendable, Codable, Equatable {
    /// One way of holding tokens: accounts created, transactions, lamports locked as rent, fees.
    public struct Side: Sendable, Codable, Equatable {
        public var accounts: UInt64
        public var transactions: UInt64
        public var rentLamports: UInt64
        public var feesLamports: UInt64
    }
    public var treeDepth: UInt64
    public var treeBuffer: UInt64
    public var treeCanopy: UInt64
    public var treeRootHistory: UInt64
    /// The tree's root (hex), leaves appended and changelog sequence number at the end.
    public var treeRoot: String
    public var treeLeaves: UInt64
    public var treeSequence: UInt64
    /// Bytes of the state tree account in this model, and its rent-exempt deposit in lamports.
    public var treeAccountBytes: UInt64
    public var treeRentLamports: UInt64
    /// The airdrops, side by side. The compressed side's rent is the tree account's.
    public var standard: Side
    public var compressed: Side
    /// Compressed-token transactions of any kind that went through.
    public var compressedTransactions: UInt64
    public var leavesAppended: UInt64
    public var leavesNullified: UInt64
    /// Rent of token accounts that decompress had to open, lamports.
    public var decompressRentLamports: UInt64
    /// Token instructions refused on chain, by reason.
    public var failed: [TokenOutcome.Count]
}

/// Reward tiers, points and claims.
public struct RewardsOutcome: Sendable, Codable, Equatable {
    /// A tier, its threshold in lifetime points, and the wallets in it at the end.
    public struct Tier: Sendable, Codable, Equatable {
        public var name: String
        public var minPoints: UInt64
        public var users: UInt64
    }
    /// Every wallet is in exactly one tier (the platform's own accounts are not wallets).
    public var tiers: [Tier]
    public var pointsAwarded: UInt64
    public var tierChanges: UInt64
    /// Lamports accrued by points, claimed in `claims` claims, and claims refused.
    public var accruedLamports: UInt64
    public var claims: UInt64
    public var claimedLamports: UInt64
    public var claimsFailed: UInt64
}

/// A virtual (paper-trading) environment at the end of the run.
public struct EnvironmentOutcome: Sendable, Codable, Equatable {
    public var id: UInt64
    public var token: String
    public var participants: UInt64
    public var trades: UInt64
    /// Spot price of the environment's curve, nanolamports per whole token.
    public var finalPriceNanos: UInt64
    /// Play lamports in the environment's curve.
    public var playLamportsInCurve: UInt64
    /// (tick, spot price in nanolamports) samples.
    public var pricePath: [[UInt64]]
}

/// A state digest: at the end of `tick`, after `eventIndex` events.
public struct CheckpointOutcome: Sendable, Codable, Equatable {
    public var tick: UInt64
    public var eventIndex: UInt64
    public var digest: String
}

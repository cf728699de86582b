import SimCore

/// Compute units each instruction consumes (requested = consumed in this model).
public struct ComputeUnitCosts: Sendable, Hashable {
    /// A pump.fun buy; mainnet buys consume about 98 k CU at the median.
    public var buy: UInt32 = 100_000
    /// A pump.fun sell.
    public var sell: UInt32 = 90_000
    /// `create` plus the initial buy.
    public var create: UInt32 = 250_000
    /// A rewards claim (a transfer from the vault).
    public var claim: UInt32 = 30_000
    /// A standard token transfer that creates the recipient's associated token account, per recipient.
    public var standardTransferWithAccount: UInt32 = 30_000
    /// A compressed-token instruction: the fixed part (proof checks, CPI into account compression).
    public var compressedBase: UInt32 = 100_000
    /// A compressed-token instruction: per input or output account (Poseidon hashing on chain).
    public var compressedPerAccount: UInt32 = 20_000
    public init() {}

    /// Compute units of one airdrop transaction to `recipients` accounts.
    public func airdrop(recipients: UInt32, compressed: Bool) -> UInt64 {
        compressed ? UInt64(compressedBase) + UInt64(compressedPerAccount) * UInt64(recipients) : UInt64(standardTransferWithAccount) * UInt64(recipients)
    }
}

/// The mocked chain's limits and prices. Defaults are Solana mainnet's.
public struct ChainConfig: Sendable, Hashable {
    /// Base fee per signature (5 000 lamports on Solana).
    public var baseFeeLamportsPerSignature: UInt64 = 5_000
    /// Compute units one block may hold (48 M on Solana).
    public var blockComputeUnitLimit: UInt64 = 48_000_000
    /// Compute units one block may spend write-locking one account (12 M on Solana).
    public var accountComputeUnitLimit: UInt64 = 12_000_000
    /// Slots a transaction may wait before it expires (a blockhash lives about 150 slots).
    public var expirySlots: UInt64 = 150
    /// Probability that a submitted transaction is lost before reaching the leader, in bps.
    public var dropBps: UInt32 = 0
    /// Largest number of pending transactions; beyond it submissions are dropped.
    public var maxPendingTransactions: Int = 1_000_000
    /// Rent-exempt deposit for a new associated token account (165 bytes: 2 039 280 lamports).
    public var tokenAccountRentLamports: UInt64 = 2_039_280
    /// Compute units per instruction.
    public var computeUnits = ComputeUnitCosts()
    /// The state tree that holds compressed token accounts.
    public var stateTree = StateTreeConfig()
    /// Faults (all 0 unless a scenario or `pumpsim fuzz` sets them), in bps:
    /// the slot's leader skips its slot (no block; transactions wait, and may expire);
    public var leaderSkipBps: UInt32 = 0
    /// the client's send times out and it retries (the transaction is submitted twice);
    public var rpcTimeoutBps: UInt32 = 0
    /// a transaction passes preflight and is then lost before the leader executes it.
    public var dropAfterPreflightBps: UInt32 = 0
    /// A bug planted on purpose (tests of the invariant checks, `fuzz` and `shrink`); nil in
    /// every real run. Scenarios cannot set it: only the hidden `--plant-defect` option does.
    public var plantedDefect: PlantedDefect?

    public init() {}
}

/// Bugs the engine can be told to have, each on one code path, so that the invariant checks,
/// `pumpsim fuzz` and `pumpsim shrink` can be shown to find them.
public enum PlantedDefect: String, Sendable, Hashable, CaseIterable {
    /// A sell of a whole holding credits the creator vault its fee rounded up by one lamport
    /// that nobody paid (SOL created: `sol_conserved`).
    case creatorFeeRoundedUp = "creator-fee-rounded-up"
    /// A sell takes one token base unit fewer from the wallet than the curve receives
    /// (tokens created: `tokens_conserved`).
    case sellTokensOffByOne = "sell-tokens-off-by-one"
    /// A virtual (paper) buy also charges the wallet's real lamports (`virtual_isolated`).
    case virtualTradeChargesRealWallet = "virtual-trade-charges-real-wallet"
    /// The run catalog records a run's end row by row, not in one transaction (`catalog_consistent`
    /// under `pumpsim fuzz`'s `catalog_write_fail_bps`).
    case catalogFinishNotAtomic = "catalog-finish-not-atomic"
}

/// A Light-style v1 state tree (REFERENCE.md Part 2 §4). Light's mainnet trees: height 26,
/// changelog 1 400, root history 2 400, canopy 10; the defaults: depth 26, buffer 64.
public struct StateTreeConfig: Sendable, Hashable {
    public var depth: Int = 26
    /// Changelog entries (a power of 2).
    public var bufferSize: Int = 64
    public var canopyDepth: Int = 10
    public var rootHistory: Int = 2_400
    public init() {}

    /// Bytes of the tree account in this model: a 64-byte header, the changelog (per entry: root,
    /// `depth` path nodes, an 8-byte index), the root history, the canopy (2^(N+1) − 2 nodes) and
    /// the rightmost path (`depth` nodes). An estimate of Light's layout, not its exact size.
    public var accountBytes: UInt64 {
        let d = UInt64(depth)
        return 64 + UInt64(bufferSize) * (32 * (d + 1) + 8) + UInt64(rootHistory) * 32
            + ((1 << UInt64(canopyDepth + 1)) - 2) * 32 + 32 * d
    }

    /// Rent-exempt lamports for an account of `bytes` bytes (Solana: (128 + bytes) × 3 480 × 2).
    public static func rentExempt(bytes: UInt64) -> UInt64 { (128 + bytes) * 6_960 }
}

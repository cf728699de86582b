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
    public init() {}
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

    public init() {}
}

import SimCore
import Curves
import Ledger
import Rewards

/// A closed range of integers drawn uniformly, e.g. a balance or a delay.
public struct UniformRange: Sendable, Hashable {
    public var min: UInt64
    public var max: UInt64
    public init(_ min: UInt64, _ max: UInt64) {
        precondition(min <= max)
        self.min = min
        self.max = max
    }
    public static func exactly(_ v: UInt64) -> UniformRange { UniformRange(v, v) }
    @inlinable public func draw(_ rng: inout SimRandom) -> UInt64 { rng.uniform(in: min...max) }
}

/// Where a wallet or agent trades.
public enum Venue: Sendable, Hashable {
    /// On the chain, against the real curves.
    case chain
    /// In the virtual (paper-trading) environment opened for a token.
    case virtual(MintID)
}

/// A token the scenario launches.
public struct TokenSpec: Sendable, Hashable {
    public var symbol: String
    public var name: String
    /// The curve, fresh.
    public var curve: AnyCurve
    /// The creator's account.
    public var creator: AccountID
    /// Lamports the creator spends on the initial buy (0 for none).
    public var initialBuyLamports: UInt64
    /// When the creator submits the launch; nil for a launch from the timeline only.
    public var launchTick: Tick?
    /// Play balance for a virtual environment opened at launch; nil for none.
    public var virtualEnvironmentPlayLamports: UInt64?
    /// Priority fee of the create transaction, micro-lamports per CU.
    public var priorityMicroLamportsPerCU: UInt64
    /// A bundled launch: the creator's extra buy sent with the create as one bundle (0: none), and its tip.
    public var bundleBuyLamports: UInt64 = 0
    public var bundleTipLamports: UInt64 = 0

    public init(symbol: String, name: String, curve: AnyCurve, creator: AccountID, initialBuyLamports: UInt64,
                launchTick: Tick?, virtualEnvironmentPlayLamports: UInt64?, priorityMicroLamportsPerCU: UInt64 = 100_000) {
        self.symbol = symbol; self.name = name; self.curve = curve; self.creator = creator
        self.initialBuyLamports = initialBuyLamports; self.launchTick = launchTick
        self.virtualEnvironmentPlayLamports = virtualEnvironmentPlayLamports
        self.priorityMicroLamportsPerCU = priorityMicroLamportsPerCU
    }
}

/// Parameters of the retail strategy: Poisson arrivals, log-normal sizes, a buy/sell mix.
public struct RetailParams: Sendable, Hashable {
    /// Mean trades per agent per hour of simulated time.
    public var tradesPerHourMilli: UInt64 = 6_000
    /// Probability that an action is a buy, bps (else a sell of a held token, or a buy if none is held).
    public var buyBps: UInt32 = 6_500
    /// Median buy size, lamports.
    public var sizeMedianLamports: UInt64 = 200_000_000
    /// Spread of the log-normal size, thousandths (1000 = sigma 1.0).
    public var sizeSigmaMilli: UInt64 = 1_000
    /// Largest buy, lamports.
    public var sizeMaxLamports: UInt64 = 20_000_000_000
    /// Share of a holding sold in one sell, bps.
    public var sellFractionBps = UniformRange(2_500, 10_000)
    /// Slippage tolerance, bps.
    public var slippageBps: UInt32 = 500
    /// Probability that an action is a chat message instead of a trade, bps.
    public var chatBps: UInt32 = 1_000
    /// Claim rewards once this many lamports are claimable (0: never).
    public var claimAtLamports: UInt64 = 5_000_000
    /// First arrival no earlier than this tick.
    public var startTick: Tick = 0
    public init() {}
}

/// Parameters of the sniper strategy: buy right after a launch, sell on a target.
public struct SniperParams: Sendable, Hashable {
    /// Mints the group snipes; agents take them round-robin. Empty: every scenario token.
    public var targets: [MintID] = []
    /// Slots after the launch tick before the buy.
    public var delaySlots = UniformRange(0, 2)
    /// Lamports spent on the buy.
    public var buyLamports = UniformRange(500_000_000, 3_000_000_000)
    public var slippageBps: UInt32 = 2_500
    /// Tip of a bundle the buy is sent in (0: an ordinary transaction).
    public var bundleTipLamports: UInt64 = 0
    /// Sell when the position is worth this much more than it cost, bps.
    public var takeProfitBps: UInt32 = 5_000
    /// Sell when the position has lost this much, bps.
    public var stopLossBps: UInt32 = 3_000
    /// Slots between position checks.
    public var checkEverySlots: UInt64 = 5
    /// Sell after holding this long whatever the price.
    public var maxHoldSlots: UInt64 = 750
    public init() {}
}

/// Parameters of the market-maker strategy (the seed's Token Launch Service): around a reference
/// price it buys when the spot falls half a spread below it and sells when it rises half a spread
/// above, moving the reference to the spot each time (so it rebalances as the price moves),
/// within an inventory limit it sells back down to.
public struct MarketMakerParams: Sendable, Hashable {
    /// The token it makes a market in (default: the scenario's first).
    public var target: MintID?
    /// Slots between looks at the price.
    public var everySlots = UniformRange(5, 15)
    /// The band around the reference price, bps (half below, half above).
    public var spreadBps: UInt32 = 400
    /// Lamports per order (each side).
    public var orderLamports: UInt64 = 500_000_000
    /// The most inventory it holds, valued at the spot, lamports; above it, it sells down to half.
    public var inventoryLimitLamports: UInt64 = 5_000_000_000
    public var slippageBps: UInt32 = 300
    public var startTick: Tick = 0
    public init() {}
}

/// Parameters of the whale strategy: large buys or dumps at intervals.
public struct WhaleParams: Sendable, Hashable {
    /// Slots between actions.
    public var everySlots = UniformRange(300, 900)
    /// Lamports per buy.
    public var buyLamports = UniformRange(20_000_000_000, 60_000_000_000)
    /// Probability that an action dumps a whole holding, bps.
    public var dumpBps: UInt32 = 3_000
    public var slippageBps: UInt32 = 1_500
    public var startTick: Tick = 0
    public init() {}
}

/// Parameters of the creator strategy: launch (from the token spec), then maybe dump.
public struct CreatorParams: Sendable, Hashable {
    /// Probability that the creator sells its whole bag after `dumpAfterSlots`, bps.
    public var dumpBps: UInt32 = 0
    public var dumpAfterSlots = UniformRange(1_500, 3_000)
    public init() {}
}

/// A trading strategy with its parameters.
public enum Strategy: Sendable, Hashable {
    case creator(CreatorParams)
    case sniper(SniperParams)
    case retail(RetailParams)
    case whale(WhaleParams)
    case marketMaker(MarketMakerParams)

    public var name: String {
        switch self {
        case .creator: return "creator"
        case .sniper: return "sniper"
        case .retail: return "retail"
        case .whale: return "whale"
        case .marketMaker: return "market_maker"
        }
    }
}

/// A group of agents sharing a strategy.
public struct AgentGroupSpec: Sendable, Hashable {
    public var name: String
    public var count: Int
    public var strategy: Strategy
    /// Starting balance, lamports.
    public var balanceLamports: UniformRange
    /// Account age at the start of the run, slots.
    public var accountAgeSlots: UniformRange
    /// Priority fee price, micro-lamports per CU.
    public var priorityMicroLamportsPerCU: UniformRange
    public var venue: Venue
    /// Accounts of the group's agents (filled when the world is built).
    public var firstAccount: AccountID = 0

    public init(name: String, count: Int, strategy: Strategy, balanceLamports: UniformRange,
                accountAgeSlots: UniformRange, priorityMicroLamportsPerCU: UniformRange, venue: Venue = .chain) {
        self.name = name; self.count = count; self.strategy = strategy; self.balanceLamports = balanceLamports
        self.accountAgeSlots = accountAgeSlots; self.priorityMicroLamportsPerCU = priorityMicroLamportsPerCU; self.venue = venue
    }
}

/// A named wallet for scripted timeline entries.
public struct WalletSpec: Sendable, Hashable {
    public var name: String
    public var balanceLamports: UInt64
    public var accountAgeSlots: UInt64
    public init(name: String, balanceLamports: UInt64, accountAgeSlots: UInt64) {
        self.name = name; self.balanceLamports = balanceLamports; self.accountAgeSlots = accountAgeSlots
    }
}

/// Platform-side limits and anti-bot rules.
public struct LimitsConfig: Sendable, Hashable {
    /// Trades a wallet may submit per window (0: no limit).
    public var maxTradesPerWindow: UInt32 = 0
    /// Window length, slots.
    public var windowSlots: UInt64 = 150
    /// Minimum wallet age for buys in a launch's first `launchProtectionSlots` (0: no rule).
    public var minAccountAgeSlots: UInt64 = 0
    public var launchProtectionSlots: UInt64 = 0
    public init() {}
}

/// Named accounts that hold nothing at genesis (airdrop recipients).
public struct RecipientPool: Sendable, Hashable {
    public var name: String
    public var count: Int
    public init(name: String, count: Int) { self.name = name; self.count = count }
}

/// A scripted action at a tick.
public struct TimelineEntry: Sendable, Hashable {
    public var tick: Tick
    public var command: Command
    public init(tick: Tick, command: Command) { self.tick = tick; self.command = command }
}

/// A command that came from outside (a WebSocket client, a REST call) and the slot it entered
/// at: recorded in a trace as `InputReceived`, written back into a scenario as `inputs:`.
public struct InputEntry: Sendable, Hashable {
    public var tick: Tick
    public var source: InputReceived.Source
    public var command: Command
    public init(tick: Tick, source: InputReceived.Source, command: Command) { self.tick = tick; self.source = source; self.command = command }
}

/// Everything a run needs: a resolved scenario.
public struct SimulationConfig: Sendable {
    public var name: String = "unnamed"
    public var seed: UInt64 = 1
    public var durationTicks: UInt64 = 1_500
    public var clock = SimClock()
    /// Take a checkpoint once this many events have passed since the last one (at a tick's end).
    public var checkpointEveryEvents: UInt64 = 100_000
    /// Sample each curve's price this often, slots.
    public var priceSampleEverySlots: UInt64 = 150
    /// Outcome metrics: buys landing this many slots after trading opens are early buyers.
    public var earlyBuyerSlots: UInt64 = 150
    public var chain = ChainConfig()
    public var rewards = RewardsConfig()
    public var limits = LimitsConfig()
    public var tokens: [TokenSpec] = []
    public var wallets: [WalletSpec] = []
    public var groups: [AgentGroupSpec] = []
    public var timeline: [TimelineEntry] = []
    /// Recorded inputs from outside, each entering after the timeline's entries of its slot.
    public var inputs: [InputEntry] = []
    /// Accounts that only receive (airdrop recipients), after the agent groups.
    public var recipientPools: [RecipientPool] = []
    /// A recorded trade flow replayed as commands, if the scenario has one (its wallets come last).
    public var stream: TradeStream?
    /// Multi-signature groups, their treasuries the last accounts.
    public var multisigs: [MultisigSpec] = []

    public init() {}

    /// The multisig whose treasury creates token `m`, if one does (it launches only by a proposal).
    public func multisigCreating(_ m: MintID) -> Int? {
        guard Int(m) < tokens.count, !multisigs.isEmpty else { return nil }
        return multisigs.indices.first { multisigVaultAccount($0) == tokens[Int(m)].creator }
    }

    /// The treasury (vault) account of multisig `i`: after every other account.
    public func multisigVaultAccount(_ i: Int) -> AccountID {
        streamFirstAccount + UInt32(stream?.wallets.count ?? 0) + UInt32(i)
    }

    /// First account id of the named wallets (after the fee recipient and the rewards vault).
    public static let firstWalletAccount: AccountID = 2

    /// Account id of the i-th named wallet.
    public func walletAccount(_ i: Int) -> AccountID { SimulationConfig.firstWalletAccount + UInt32(i) }

    /// Account id of the first agent of group `g`.
    public func groupFirstAccount(_ g: Int) -> AccountID {
        var a = SimulationConfig.firstWalletAccount + UInt32(wallets.count)
        for i in 0..<g { a += UInt32(groups[i].count) }
        return a
    }

    /// Total agents.
    public var agentCount: Int { groups.reduce(0) { $0 + $1.count } }

    /// Account id of the first account of recipient pool `p`.
    public func poolFirstAccount(_ p: Int) -> AccountID {
        var a = groupFirstAccount(groups.count)
        for i in 0..<p { a += UInt32(recipientPools[i].count) }
        return a
    }
}

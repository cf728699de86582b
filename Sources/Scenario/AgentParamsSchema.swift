import SimCore
import Engine

/// The fields of an agent group and of each strategy's `params`: their forms, units, defaults and
/// meaning. The loader takes its allowed keys from here and the README's table is printed from
/// here (`pumpsim validate --agent-params`; a test compares the two), so neither can drift.
public enum AgentParamsSchema {
    public struct Param: Sendable {
        public var key: String
        /// How the value is written: `number`, `number or {min, max}`, `{median, sigma}`, ….
        public var form: String
        public var unit: String
        /// The default, as a scenario would write it.
        public var defaultValue: String
        public var meaning: String
    }

    static func sol(_ l: UInt64) -> String { FixedDecimal.format(UInt128(l), scale: 9) }
    static func range(_ r: UniformRange, _ f: (UInt64) -> String) -> String { r.min == r.max ? f(r.min) : "{min: \(f(r.min)), max: \(f(r.max))}" }
    static func int(_ v: UInt64) -> String { String(v) }
    static func slots(_ v: UInt64) -> String { "\(v) slots" }
    static let numberOrRange = "number or {min, max}"
    static let durationOrRange = "duration or {min, max}"

    /// Group defaults (the loader uses these).
    public static let defaultBalance = UniformRange(1_000_000_000, 20_000_000_000)
    public static let defaultAccountAge = UniformRange(216_000, 21_600_000)
    public static let defaultPriorityFee = UniformRange(1_000, 200_000)

    /// Fields of every group (beside `name`, `strategy` and `params`).
    public static let group: [Param] = [
        Param(key: "count", form: "number", unit: "agents", defaultValue: "(required)", meaning: "How many agents; 0 switches the group off."),
        Param(key: "balance_sol", form: numberOrRange, unit: "SOL", defaultValue: range(defaultBalance, sol),
              meaning: "Each agent's starting balance, drawn uniformly from the range."),
        Param(key: "account_age_slots", form: numberOrRange, unit: "slots", defaultValue: range(defaultAccountAge, int),
              meaning: "How old each wallet is at the start (the platform's account-age limit reads it)."),
        Param(key: "priority_fee", form: numberOrRange, unit: "micro-lamports per CU", defaultValue: range(defaultPriorityFee, int),
              meaning: "Compute-unit price of each transaction, drawn per action."),
        Param(key: "venue", form: "chain or {virtual: SYMBOL}", unit: "", defaultValue: "chain",
              meaning: "Where the group trades: on chain, or in a token's virtual (paper) environment (retail only)."),
    ]

    /// Each strategy's `params`.
    public static let strategies: [(name: String, summary: String, params: [Param])] = {
        let r = RetailParams(), s = SniperParams(), w = WhaleParams(), c = CreatorParams(), mm = MarketMakerParams()
        return [
            ("retail", "arrives at random (exponential gaps), buys log-normal sizes or sells part of a holding, chats, claims rewards", [
                Param(key: "trades_per_hour", form: "number", unit: "actions per agent per hour", defaultValue: FixedDecimal.format(UInt128(r.tradesPerHourMilli), scale: 3),
                      meaning: "Mean rate of actions; gaps between them are exponential, rounded to slots (at least 1)."),
                Param(key: "buy_bps", form: "number", unit: "bps", defaultValue: int(UInt64(r.buyBps)),
                      meaning: "Chance that an action is a buy (else a sell of a held token, or a buy if none is held)."),
                Param(key: "size_sol", form: "{median, sigma}", unit: "SOL; sigma of ln(size)", defaultValue: "{median: \(sol(r.sizeMedianLamports)), sigma: \(FixedDecimal.format(UInt128(r.sizeSigmaMilli), scale: 3))}",
                      meaning: "Log-normal buy size; buys below 0.001 SOL are skipped, and none exceeds 90 % of the wallet."),
                Param(key: "max_size_sol", form: "number", unit: "SOL", defaultValue: sol(r.sizeMaxLamports), meaning: "Largest buy."),
                Param(key: "sell_fraction_bps", form: numberOrRange, unit: "bps of the holding", defaultValue: range(r.sellFractionBps, int),
                      meaning: "Share of a holding one sell sells."),
                Param(key: "slippage_bps", form: "number", unit: "bps", defaultValue: int(UInt64(r.slippageBps)), meaning: "Slippage tolerance of every trade."),
                Param(key: "chat_bps", form: "number", unit: "bps", defaultValue: int(UInt64(r.chatBps)), meaning: "Chance that an action is a chat message instead."),
                Param(key: "claim_at_sol", form: "number", unit: "SOL", defaultValue: sol(r.claimAtLamports),
                      meaning: "Claim rewards once this much is claimable (0: never)."),
                Param(key: "start_at", form: "duration", unit: "from the run's start", defaultValue: "0s", meaning: "No action before this time."),
            ]),
            ("sniper", "buys a token right after its launch, then sells at a take-profit, a stop-loss or after a maximum hold", [
                Param(key: "targets", form: "list of token symbols", unit: "", defaultValue: "every token",
                      meaning: "Tokens the group snipes; agents take them round-robin."),
                Param(key: "delay_slots", form: numberOrRange, unit: "slots after the launch", defaultValue: range(s.delaySlots, int), meaning: "When the buy is sent."),
                Param(key: "buy_sol", form: numberOrRange, unit: "SOL", defaultValue: range(s.buyLamports, sol), meaning: "What the buy spends."),
                Param(key: "slippage_bps", form: "number", unit: "bps", defaultValue: int(UInt64(s.slippageBps)), meaning: "Slippage tolerance of the buy and the sell."),
                Param(key: "bundle_tip_sol", form: "number", unit: "SOL", defaultValue: sol(s.bundleTipLamports),
                      meaning: "Send the buy as a one-transaction bundle with this tip (0: an ordinary transaction); bundles land first in their slot, by tip."),
                Param(key: "take_profit_bps", form: "number", unit: "bps above cost", defaultValue: int(UInt64(s.takeProfitBps)),
                      meaning: "Sell once the position is worth this much more than it cost (at the curve's sell quote)."),
                Param(key: "stop_loss_bps", form: "number", unit: "bps below cost", defaultValue: int(UInt64(s.stopLossBps)), meaning: "Sell once the position lost this much."),
                Param(key: "check_every_slots", form: "number", unit: "slots", defaultValue: int(s.checkEverySlots), meaning: "How often the position is checked."),
                Param(key: "max_hold_slots", form: "number", unit: "slots", defaultValue: int(s.maxHoldSlots), meaning: "Sell after holding this long, whatever the price."),
            ]),
            ("whale", "large buys at long intervals, sometimes dumping a whole holding", [
                Param(key: "every", form: durationOrRange, unit: "between actions", defaultValue: range(w.everySlots, slots), meaning: "Time between actions."),
                Param(key: "buy_sol", form: numberOrRange, unit: "SOL", defaultValue: range(w.buyLamports, sol), meaning: "What a buy spends (at most 90 % of the wallet)."),
                Param(key: "dump_bps", form: "number", unit: "bps", defaultValue: int(UInt64(w.dumpBps)), meaning: "Chance that an action sells a whole holding instead."),
                Param(key: "slippage_bps", form: "number", unit: "bps", defaultValue: int(UInt64(w.slippageBps)), meaning: "Slippage tolerance."),
                Param(key: "start_at", form: "duration", unit: "from the run's start", defaultValue: "0s", meaning: "No action before this time."),
            ]),
            ("market_maker", "quotes both sides around a reference price: buys when the spot falls half a spread below it, sells when it rises half a spread above, moving the reference each time; sells down to half its inventory limit when above it (its PnL and inventory: the group's `pnl_sol` and `holdings_sol`)", [
                Param(key: "token", form: "token symbol", unit: "", defaultValue: "the first token", meaning: "The token it makes a market in."),
                Param(key: "every", form: durationOrRange, unit: "between looks", defaultValue: range(mm.everySlots, slots), meaning: "How often it looks at the price."),
                Param(key: "spread_bps", form: "number", unit: "bps of the reference price", defaultValue: int(UInt64(mm.spreadBps)),
                      meaning: "The band: a move of half of it either way trades one order."),
                Param(key: "order_sol", form: "number", unit: "SOL", defaultValue: sol(mm.orderLamports), meaning: "Size of each order (at most 90 % of the wallet)."),
                Param(key: "inventory_sol", form: "number", unit: "SOL at the spot", defaultValue: sol(mm.inventoryLimitLamports),
                      meaning: "The most inventory it holds; no buy would take it past this, and above it it sells down to half."),
                Param(key: "slippage_bps", form: "number", unit: "bps", defaultValue: int(UInt64(mm.slippageBps)), meaning: "Slippage tolerance."),
                Param(key: "start_at", form: "duration", unit: "from the run's start", defaultValue: "0s", meaning: "No action before this time (nor before the token's launch)."),
            ]),
            ("creator", "the wallet that launches a token (its `creator`); may dump its bag later", [
                Param(key: "dump_bps", form: "number", unit: "bps", defaultValue: int(UInt64(c.dumpBps)), meaning: "Chance that the creator sells its whole bag."),
                Param(key: "dump_after", form: durationOrRange, unit: "after the launch", defaultValue: range(c.dumpAfterSlots, slots), meaning: "When it would."),
            ]),
        ]
    }()

    /// The keys `params` accepts for a strategy.
    public static func keys(_ strategy: String) -> [String] {
        strategies.first { $0.name == strategy }?.params.map(\.key) ?? []
    }

    /// The README's table (Markdown).
    public static var markdown: String {
        func row(_ p: Param) -> String {
            "| `\(p.key)` | \(p.form) | \(p.unit.isEmpty ? "" : p.unit) | `\(p.defaultValue)` | \(p.meaning) |"
        }
        var lines = ["Every group (`agents[i]`): `name`, `strategy` (\(strategies.map { "`\($0.name)`" }.joined(separator: ", "))), `params` (below), and:", "",
                     "| field | form | unit | default | meaning |", "|---|---|---|---|---|"]
        lines += group.map(row)
        for s in strategies {
            lines += ["", "`strategy: \(s.name)`: \(s.summary). `params`:", "", "| param | form | unit | default | meaning |", "|---|---|---|---|---|"]
            lines += s.params.map(row)
        }
        lines += ["", "Forms: `{min, max}` draws uniformly (inclusive) per agent or per action; `{median, sigma}` is a log-normal; a duration takes a unit (`400ms`, `30s`, `10m`, `2h`, `150 slots`)."]
        return lines.joined(separator: "\n") + "\n"
    }
}

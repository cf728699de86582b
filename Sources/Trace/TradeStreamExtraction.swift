import SimCore
import Ledger
import Engine

/// Extracts the trade stream of a run from its trace: every create and trade transaction that
/// landed (whether the program took it or refused it), in landing order, with the slot it was
/// decided in, the slot it landed in, and the intent its sender had (recovered from the state
/// the sender saw: sells as a share of the holding, slippage as the tolerance in bps).
///
/// Trades that never landed (refused by the platform, dropped, expired) are not in a recorded
/// history and are counted instead.
public enum TradeStreamExtraction {
    public struct Result: Sendable {
        public var trades: [NamedStreamTrade]
        /// Trade intents that never reached a block, by what stopped them.
        public var refusedByPlatform: UInt64 = 0
        public var dropped: UInt64 = 0
        public var expired: UInt64 = 0
        /// Landed trades whose slippage tolerance no whole bps reproduces (written without one).
        public var inexactSlippage: UInt64 = 0
        /// Landed trades refused for lack of funds (a replay funds wallets its own way).
        public var failedForFunds: UInt64 = 0
        /// Landed token instructions that are not trades (airdrops, compressed transfers,
        /// compress, decompress): they move holdings, but a trade stream cannot carry them.
        public var otherTokenMoves: UInt64 = 0
        /// Accounts whose readable name another account already had (written as `name~ID`).
        public var renamedWallets: UInt64 = 0
        /// Reward claims that paid lamports to wallets (a stream does not carry them).
        public var claims: UInt64 = 0
    }

    public static func extract(_ reader: TraceReader, config: SimulationConfig) throws -> Result {
        var replayer = try Replayer(config: config)
        var result = Result(trades: [])
        var pending: [TxID: NamedStreamTrade] = [:]
        let names = AccountNames(config)
        // What every account started with: a wallet's first row carries it, so that a replay
        // funds the wallet as the run did (trades that failed for lack of funds fail again).
        let startLamports = replayer.world.chain.lamports
        var written = Set<AccountID>()
        // One name per account: a wallet named like an agent (`retail-3` beside group `retail`)
        // must not merge two accounts' trades.
        var nameOwner: [String: AccountID] = [:]
        var accountName: [AccountID: String] = [:]
        func name(_ a: AccountID) -> String {
            if let n = accountName[a] { return n }
            var n = names.name(a)
            if let owner = nameOwner[n], owner != a {
                n = "\(n)~\(a)"
                result.renamedWallets += 1
            }
            nameOwner[n] = a
            accountName[a] = n
            return n
        }
        try reader.forEach { item in
            guard case .event(let r) = item else { return true }
            switch r.event {
            case .ledger(.txSubmitted(let tx)):
                if let intent = StreamIntent.recover(tx.instruction, payer: tx.payer, world: replayer.world) {
                    pending[tx.id] = NamedStreamTrade(tick: r.tick, landing: r.tick, wallet: name(tx.payer),
                                                      token: config.tokens[Int(intent.mint)].symbol, action: intent.action,
                                                      slippageBps: intent.slippageBps, priority: tx.priorityMicroLamportsPerCU)
                }
            case .ledger(.txIncluded(let i)):
                if var t = pending.removeValue(forKey: i.txID) {
                    t.landing = r.tick
                    if written.insert(i.payer).inserted, Int(i.payer) < startLamports.count { t.balanceLamports = startLamports[Int(i.payer)] }
                    if case .create = t.action {} else if t.slippageBps == nil { result.inexactSlippage += 1 }
                    result.trades.append(t)
                }
            case .ledger(.txDropped(let d)):
                // Dropped on the way to the leader: never submitted, so never pending.
                if d.mint != nil { result.dropped += 1 }
            case .ledger(.txExpired(let x)):
                if pending.removeValue(forKey: x.txID) != nil { result.expired += 1 }
            case .ledger(.tradeFailed(let f)) where f.reason == .insufficientFunds:
                result.failedForFunds += 1
            case .tradeRejected:
                result.refusedByPlatform += 1
            case .ledger(.tokensAirdropped), .ledger(.compressedTokensMoved):
                result.otherTokenMoves += 1
            case .rewards(.rewardsClaimed):
                result.claims += 1
            default:
                break
            }
            try replayer.apply(r)
            return true
        }
        return result
    }
}

/// Readable names for a scenario's accounts: named wallets, `group-i` for agents, `pool-i` for
/// recipients, stream wallets by their own names.
public struct AccountNames: Sendable {
    let config: SimulationConfig
    public init(_ config: SimulationConfig) { self.config = config }

    public func name(_ a: AccountID) -> String {
        if a == 0 { return "fee-recipient" }
        if a == 1 { return "rewards-vault" }
        if Int(a) >= Int(SimulationConfig.firstWalletAccount), Int(a - SimulationConfig.firstWalletAccount) < config.wallets.count {
            return config.wallets[Int(a - SimulationConfig.firstWalletAccount)].name
        }
        for g in config.groups.indices {
            let first = config.groupFirstAccount(g)
            if a >= first && a < first + UInt32(config.groups[g].count) { return "\(config.groups[g].name)-\(a - first)" }
        }
        for p in config.recipientPools.indices {
            let first = config.poolFirstAccount(p)
            if a >= first && a < first + UInt32(config.recipientPools[p].count) { return "\(config.recipientPools[p].name)-\(a - first)" }
        }
        if let s = config.stream, a >= config.streamFirstAccount, Int(a - config.streamFirstAccount) < s.wallets.count {
            return s.wallets[Int(a - config.streamFirstAccount)]
        }
        return "account-\(a)"
    }
}

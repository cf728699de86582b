import SimCore
import Curves
import Ledger
import Rewards

/// `decide`: turns a command into events, reading the world and drawing from the PRNG.
/// It never mutates the world; the caller folds each event in with `World.evolve`.
///
/// The world is read through its address: passed by value from the harness that holds it, the
/// world (800 bytes) was copied for every command (Swift copies a large struct read from a
/// `mutating` method's `self` before passing it, even when the call cannot write it).
public enum Decide {
    /// Pump.fun metadata limits (Metaplex): name ≤ 32 bytes, symbol ≤ 10 bytes.
    public static let maxNameBytes = 32
    public static let maxSymbolBytes = 10

    /// `recorded`: the command replays a recorded history (a trade-stream row). Its transaction
    /// landed in that history, so the drop model and the mempool bound do not apply to it.
    public static func decide(_ command: Command, world: UnsafePointer<World>, config configAt: UnsafePointer<SimulationConfig>, tick: Tick,
                              rng: inout SimRandom, into out: inout [Event], recorded: Bool = false) {
        switch command {
        case .launch(let m):
            if configAt.pointee.multisigCreating(m) != nil {
                // Only an approved proposal launches a multisig's token.
                out.append(.launchRejected(LaunchRejected(mint: m, creator: configAt.pointee.tokens[Int(m)].creator, reason: .needsMultisigApproval)))
                return
            }
            launch(m, world: world, config: configAt.pointee, tick: tick, rng: &rng, into: &out, recorded: recorded)
        case .buy(let w, let m, let lamports, let slippage, let priority) where isPool(m, world):
            poolBuy(w, m, lamports: lamports, slippage: slippage, priority: priority, world: world, tick: tick, rng: &rng, into: &out, recorded: recorded)
        case .buyTokens(let w, let m, let tokens, let maxCost, let priority) where isPool(m, world):
            poolBuy(w, m, tokens: tokens, maxCost: maxCost, priority: priority, world: world, tick: tick, rng: &rng, into: &out, recorded: recorded)
        case .buy(let w, let m, let lamports, let slippage, let priority):
            guard let q = preflight(w, m, .buy, world: world, tick: tick, into: &out, quote: { c throws(CurveError) in
                try c.quoteBuy(spendable: lamports, minTokensOut: 0) }) else { return }
            let ins = Instruction.buyExactSolIn(mint: m, spendableLamports: lamports, minTokensOut: Slippage.minOut(q.tokens, bps: slippage))
            submitTrade(w, m, .buy, ins, needLamports: lamports, priority: priority, world: world, tick: tick, rng: &rng, into: &out, recorded: recorded)
        case .buyTokens(let w, let m, let tokens, let maxCost, let priority):
            guard preflight(w, m, .buy, world: world, tick: tick, into: &out, quote: { c throws(CurveError) in
                try c.quoteBuy(tokens: tokens, maxSolCost: maxCost) }) != nil else { return }
            let ins = Instruction.buyExactTokens(mint: m, tokens: tokens, maxSolCostLamports: maxCost)
            submitTrade(w, m, .buy, ins, needLamports: 0, priority: priority, world: world, tick: tick, rng: &rng, into: &out, recorded: recorded)
        case .sell(let w, let m, let tokens, let slippage, let priority):
            sell(w, m, tokens: tokens, slippage: slippage, priority: priority, world: world, tick: tick, rng: &rng, into: &out, recorded: recorded)
        case .sellShare(let w, let m, let share, let slippage, let priority):
            let held = Int(m) < world.pointee.chain.mints.count ? world.pointee.chain.balance(of: w, mint: m) : 0
            let tokens = UInt64(WideMath.divide(UInt128(held) * UInt128(min(share, 10_000)), 10_000))
            sell(w, m, tokens: tokens, slippage: slippage, priority: priority, world: world, tick: tick, rng: &rng, into: &out, recorded: recorded)
        case .claim(let w, let priority):
            guard world.pointee.rewards.claimable(w) > 0 else {
                out.append(.claimFailed(ClaimFailed(wallet: w, reason: .nothingToClaim)))
                return
            }
            let tx = Transaction(id: world.pointee.nextTxID, payer: w, computeUnits: configAt.pointee.chain.computeUnits.claim,
                                 priorityMicroLamportsPerCU: priority, submittedTick: tick, instruction: .claimRewards)
            submit(tx, world: world, rng: &rng, into: &out)
        case .chat(let w, let m, let bytes):
            out.append(.chatPosted(ChatPosted(wallet: w, mint: m, bytes: bytes)))
            // `RewardsState.award`, read in place: called through the world's address, it copied
            // the rewards state (and the events went through an array allocated per chat).
            let u = Int(w)
            let (tier, points) = u < world.pointee.rewards.users.count
                ? (world.pointee.rewards.users[u].tier, world.pointee.rewards.users[u].points) : (0, 0)
            if let (awarded, changed) = RewardsState.earn(user: w, action: .chat, tier: tier, points: points, config: world.pointee.rewards.config) {
                out.append(.rewards(.pointsAwarded(awarded)))
                if let changed { out.append(.rewards(.tierChanged(changed))) }
            }
        case .openEnvironment(let m, let play):
            out.append(.environmentCreated(EnvironmentCreated(environment: UInt32(world.pointee.environments.count), mint: m, playLamports: play)))
        case .joinEnvironment(let m, let w):
            guard let env = environment(of: m, world: world) else {
                out.append(.tradeRejected(TradeRejected(wallet: w, mint: m, side: .buy, reason: .tokenNotTradable)))
                return
            }
            if env.slot(of: w) == nil {
                out.append(.virtualJoined(VirtualJoined(environment: env.id, wallet: w, playLamports: env.playLamports)))
            }
        case .virtualBuy(let m, let w, let lamports):
            virtualTrade(m, w, .buy, world: world, into: &out) { env, s throws(CurveError) in
                try env.curve.quoteBuy(spendable: min(lamports, env.lamports[s]), minTokensOut: 0)
            }
        case .airdrop(let w, let m, let first, let count, let amount, let compressed, let perTx, let priority):
            let costs = configAt.pointee.chain.computeUnits
            var k: UInt32 = 0, n: UInt64 = 0
            while k < count {
                let c = min(perTx, count - k)
                // At most 1.4 M: the loader refuses a per_tx whose transaction would cost more.
                let cu = UInt32(clamping: costs.airdrop(recipients: c, compressed: compressed))
                let ins: Instruction = compressed ? .compressedAirdrop(mint: m, firstRecipient: first + k, count: c, amount: amount)
                                                  : .airdrop(mint: m, firstRecipient: first + k, count: c, amount: amount)
                submit(Transaction(id: world.pointee.nextTxID + n, payer: w, computeUnits: cu, priorityMicroLamportsPerCU: priority,
                                   submittedTick: tick, instruction: ins), world: world, rng: &rng, into: &out)
                k += c; n += 1
            }
        case .compressedTransfer(let w, let m, let to, let amount, let priority):
            submitCompressed(w, .compressedTransfer(mint: m, to: to, amount: amount), accounts: 3, priority: priority, config: configAt.pointee, world: world, tick: tick, rng: &rng, into: &out)
        case .compress(let w, let m, let amount, let priority):
            submitCompressed(w, .compress(mint: m, amount: amount), accounts: 1, priority: priority, config: configAt.pointee, world: world, tick: tick, rng: &rng, into: &out)
        case .decompress(let w, let m, let amount, let priority):
            submitCompressed(w, .decompress(mint: m, amount: amount), accounts: 2, priority: priority, config: configAt.pointee, world: world, tick: tick, rng: &rng, into: &out)
        case .bundledBuy(let w, let m, let l, let s, let p, let t):
            bundledBuy(w, m, lamports: l, slippage: s, priority: p, tip: t, world: world, config: configAt.pointee, tick: tick, into: &out)
        case .propose(let g, let w, let action):
            propose(g, w, action, world: world, config: configAt.pointee, tick: tick, rng: &rng, into: &out)
        case .approve(let g, let n, let w):
            approve(g, n, w, world: world, config: configAt.pointee, tick: tick, rng: &rng, into: &out)
        case .virtualSell(let m, let w, let share):
            virtualTrade(m, w, .sell, world: world, into: &out) { env, s throws(CurveError) in
                let tokens = UInt64(WideMath.divide(UInt128(env.tokens[s]) * UInt128(min(share, 10_000)), 10_000))
                guard tokens > 0 else { throw CurveError.notEnoughTokensToSell }
                return try env.curve.quoteSell(tokens: tokens, minSolOut: 0)
            }
        }
    }

    // MARK: launches

    static func launch(_ m: MintID, world: UnsafePointer<World>, config: SimulationConfig, tick: Tick,
                       rng: inout SimRandom, into out: inout [Event], recorded: Bool = false) {
        let spec = config.tokens[Int(m)]
        if world.pointee.launchRequested[Int(m)] {
            out.append(.launchRejected(LaunchRejected(mint: m, creator: spec.creator, reason: .alreadyLaunched)))
            return
        }
        out.append(.launchRequested(LaunchRequested(mint: m, creator: spec.creator)))
        let tx = createTransaction(m, world: world, config: config, tick: tick)
        if let reason = launchRejection(spec, tx: tx, world: world, config: config) {
            out.append(.launchRejected(LaunchRejected(mint: m, creator: spec.creator, reason: reason)))
            return
        }
        if let play = spec.virtualEnvironmentPlayLamports {
            out.append(.environmentCreated(EnvironmentCreated(environment: UInt32(world.pointee.environments.count), mint: m, playLamports: play)))
        }
        if spec.bundleBuyLamports > 0 && !recorded { return launchBundle(m, spec: spec, create: tx, world: world, config: config, tick: tick, into: &out) }
        submit(tx, world: world, rng: &rng, into: &out, recorded: recorded)
    }

    /// A launch's `create` (with its initial buy), signed by the creator and by the new mint's
    /// keypair (pump `create` takes the mint as a signer).
    static func createTransaction(_ m: MintID, world: UnsafePointer<World>, config: SimulationConfig, tick: Tick) -> Transaction {
        let spec = config.tokens[Int(m)]
        return Transaction(id: world.pointee.nextTxID, payer: spec.creator, signatures: 2, computeUnits: config.chain.computeUnits.create,
                           priorityMicroLamportsPerCU: spec.priorityMicroLamportsPerCU, submittedTick: tick,
                           instruction: .create(mint: m, initialBuyLamports: spec.initialBuyLamports))
    }

    /// Parameter validation of a launch: metadata limits and the creator's funds.
    static func launchRejection(_ spec: TokenSpec, tx: Transaction, world: UnsafePointer<World>, config: SimulationConfig) -> RejectReason? {
        if spec.name.utf8.count > maxNameBytes { return .nameTooLong }
        if spec.symbol.utf8.count > maxSymbolBytes { return .symbolTooLong }
        let rent = spec.initialBuyLamports > 0 ? config.chain.tokenAccountRentLamports : 0
        let need = spec.initialBuyLamports &+ rent &+ tx.feeLamports(baseFeePerSignature: config.chain.baseFeeLamportsPerSignature)
        if world.pointee.chain.lamports[Int(spec.creator)] < need { return .insufficientFunds }
        return nil
    }

    // MARK: trades

    /// Platform checks and the client's preflight quote; appends a rejection and returns nil on failure.
    static func preflight(_ w: AccountID, _ m: MintID, _ side: TradeSide, world: UnsafePointer<World>, tick: Tick, into out: inout [Event],
                          quote: (AnyCurve) throws(CurveError) -> TradeQuote) -> TradeQuote? {
        switch platformCheck(w, m, side, world: world, tick: tick, quote: quote) {
        case .success(let q): return q
        case .failure(let r):
            out.append(.tradeRejected(TradeRejected(wallet: w, mint: m, side: side, reason: r.reason)))
            return nil
        }
    }

    struct Refusal: Error { var reason: RejectReason }

    static func platformCheck(_ w: AccountID, _ m: MintID, _ side: TradeSide, world: UnsafePointer<World>, tick: Tick,
                              quote: (AnyCurve) throws(CurveError) -> TradeQuote) -> Result<TradeQuote, Refusal> {
        guard Int(m) < world.pointee.chain.mints.count, World.isTradable(m, at: world), world.pointee.chain.mints[Int(m)].status == .trading else {
            let migrated = Int(m) < world.pointee.chain.mints.count && world.pointee.chain.mints[Int(m)].status == .migrated
            return .failure(Refusal(reason: migrated ? .bondingCurveComplete : .tokenNotTradable))
        }
        if let r = platformLimit(w, m, side, world: world, tick: tick) { return .failure(Refusal(reason: r)) }
        do { return .success(try quote(world.pointee.chain.mints[Int(m)].curve)) } catch { return .failure(Refusal(reason: RejectReason(error))) }
    }

    /// The platform's own limits on a trade: the per-wallet rate limit and launch protection.
    static func platformLimit(_ w: AccountID, _ m: MintID, _ side: TradeSide, world: UnsafePointer<World>, tick: Tick) -> RejectReason? {
        let limits = world.pointee.limits
        if limits.maxTradesPerWindow > 0 && World.tradesInWindow(w, at: tick, in: world) >= limits.maxTradesPerWindow {
            return .rateLimited
        }
        if side == .buy && limits.minAccountAgeSlots > 0 && tick < world.pointee.openTick[Int(m)] &+ limits.launchProtectionSlots
            && world.pointee.chain.ageSlots(of: w, at: tick) < Int64(clamping: limits.minAccountAgeSlots) {
            return .accountTooNew
        }
        return nil
    }

    static func sell(_ w: AccountID, _ m: MintID, tokens: UInt64, slippage: UInt32, priority: UInt64, world: UnsafePointer<World>,
                     tick: Tick, rng: inout SimRandom, into out: inout [Event], recorded: Bool = false) {
        guard tokens > 0, Int(m) < world.pointee.chain.mints.count, world.pointee.chain.balance(of: w, mint: m) >= tokens else {
            out.append(.tradeRejected(TradeRejected(wallet: w, mint: m, side: .sell, reason: .insufficientTokens)))
            return
        }
        if isPool(m, world) {
            return poolSell(w, m, tokens: tokens, slippage: slippage, priority: priority, world: world, tick: tick, rng: &rng, into: &out, recorded: recorded)
        }
        guard let q = preflight(w, m, .sell, world: world, tick: tick, into: &out, quote: { c throws(CurveError) in
            try c.quoteSell(tokens: tokens, minSolOut: 0) }) else { return }
        let ins = Instruction.sell(mint: m, tokens: tokens, minSolOutLamports: Slippage.minOut(q.solTotal, bps: slippage))
        submitTrade(w, m, .sell, ins, needLamports: 0, priority: priority, world: world, tick: tick, rng: &rng, into: &out, recorded: recorded)
    }

    static func submitTrade(_ w: AccountID, _ m: MintID, _ side: TradeSide, _ ins: Instruction, needLamports: UInt64,
                            priority: UInt64, world: UnsafePointer<World>, tick: Tick, rng: inout SimRandom, into out: inout [Event], recorded: Bool = false) {
        let config = world.pointee.chain.config
        let cu = side == .buy ? config.computeUnits.buy : config.computeUnits.sell
        let tx = Transaction(id: world.pointee.nextTxID, payer: w, computeUnits: cu, priorityMicroLamportsPerCU: priority,
                             submittedTick: tick, instruction: ins)
        let fee = tx.feeLamports(baseFeePerSignature: config.baseFeeLamportsPerSignature)
        if world.pointee.chain.lamports[Int(w)] < needLamports &+ fee {
            out.append(.tradeRejected(TradeRejected(wallet: w, mint: m, side: side, reason: .insufficientFunds)))
            return
        }
        submit(tx, world: world, rng: &rng, into: &out, recorded: recorded)
    }

    static func submitCompressed(_ w: AccountID, _ ins: Instruction, accounts: UInt32, priority: UInt64, config: SimulationConfig,
                                 world: UnsafePointer<World>, tick: Tick, rng: inout SimRandom, into out: inout [Event]) {
        let costs = config.chain.computeUnits
        submit(Transaction(id: world.pointee.nextTxID, payer: w, computeUnits: costs.compressedBase + costs.compressedPerAccount * accounts,
                           priorityMicroLamportsPerCU: priority, submittedTick: tick, instruction: ins), world: world, rng: &rng, into: &out)
    }

    /// Sends a transaction to the leader: the drop model and the mempool bound apply, except to a
    /// recorded transaction (it landed in the history being replayed).
    static func submit(_ tx: Transaction, world: UnsafePointer<World>, rng: inout SimRandom, into out: inout [Event], recorded: Bool = false) {
        let config = world.pointee.chain.config
        if recorded {
            out.append(.ledger(.txSubmitted(tx)))
        } else if world.pointee.chain.mempool.count >= config.maxPendingTransactions {
            out.append(.ledger(.txDropped(TxDropped(txID: tx.id, payer: tx.payer, mint: tx.instruction.mint, reason: .mempoolFull))))
        } else if config.dropBps > 0 && rng.chance(bps: config.dropBps) {
            out.append(.ledger(.txDropped(TxDropped(txID: tx.id, payer: tx.payer, mint: tx.instruction.mint, reason: .networkDropped))))
        } else {
            out.append(.ledger(.txSubmitted(tx)))
            // The fault: the client's send timed out (the transaction got through) and it sends again.
            if config.rpcTimeoutBps > 0 && rng.chance(bps: config.rpcTimeoutBps) && world.pointee.chain.mempool.count + 1 < config.maxPendingTransactions {
                var retry = tx
                retry.id = tx.id &+ 1
                out.append(.ledger(.txSubmitted(retry)))
            }
        }
    }

    // MARK: virtual environments

    static func environment(of m: MintID, world: UnsafePointer<World>) -> VirtualEnvironment? {
        environment(of: m, world: world.pointee)
    }

    static func environment(of m: MintID, world: World) -> VirtualEnvironment? {
        guard Int(m) < world.latestEnvironment.count, world.latestEnvironment[Int(m)] >= 0 else { return nil }
        return world.environments[Int(world.latestEnvironment[Int(m)])]
    }

    static func virtualTrade(_ m: MintID, _ w: AccountID, _ side: TradeSide, world: UnsafePointer<World>, into out: inout [Event],
                             quote: (VirtualEnvironment, Int) throws(CurveError) -> TradeQuote) {
        guard let env = environment(of: m, world: world) else {
            out.append(.tradeRejected(TradeRejected(wallet: w, mint: m, side: side, reason: .tokenNotTradable)))
            return
        }
        guard let s = env.slot(of: w) else {
            out.append(.virtualTradeRejected(VirtualTradeRejected(environment: env.id, wallet: w, side: side, reason: .notAParticipant)))
            return
        }
        do {
            let q = try quote(env, s)
            out.append(.virtualTradeExecuted(VirtualTradeExecuted(environment: env.id, wallet: w, side: side, tokens: q.tokens,
                                                                  curveSol: q.curveSol, protocolFee: q.protocolFee, creatorFee: q.creatorFee)))
        } catch {
            out.append(.virtualTradeRejected(VirtualTradeRejected(environment: env.id, wallet: w, side: side, reason: RejectReason(error))))
        }
    }
}

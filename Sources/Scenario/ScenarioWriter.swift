import SimCore
import Curves
import Ledger
import Rewards
import Engine
import Fanout

/// Writes a resolved `SimulationConfig` back as a scenario document: canonical JSON with every
/// default spelled out, fields in a fixed order. `ScenarioLoader.parse` reads it back to the same
/// config, which is how a trace carries the exact scenario it ran.
public enum ScenarioWriter {
    /// The canonical JSON text (compact).
    public static func canonicalJSON(_ s: ResolvedScenario) -> String { json(s).serialized() }

    /// SHA-256 of the canonical JSON: the scenario's identity in traces and the catalog.
    public static func digest(_ s: ResolvedScenario) -> StateDigest {
        StateDigest.of(encoding: Array(canonicalJSON(s).utf8))
    }

    static func sol(_ v: UInt64) -> JSON { .decimal(v, scale: 9) }
    static func slots(_ v: UInt64) -> JSON { .string("\(v) slots") }
    static func range(_ r: UniformRange, _ f: (UInt64) -> JSON) -> JSON { .object([("min", f(r.min)), ("max", f(r.max))]) }

    public static func json(_ s: ResolvedScenario) -> JSON {
        let c = s.config
        let symbols = c.tokens.map(\.symbol)
        return .object([
            ("version", .uint(ScenarioLoader.version)),
            ("name", .string(c.name)),
            ("seed", .uint(c.seed)),
            ("duration", slots(c.durationTicks)),
            ("slot_ms", .uint(c.clock.slotMillis)),
            ("checkpoint_every", .uint(c.checkpointEveryEvents)),
            ("price_sample_every", slots(c.priceSampleEverySlots)),
        ] + (c.earlyBuyerSlots == SimulationConfig().earlyBuyerSlots ? [] : [("early_buyer_window", slots(c.earlyBuyerSlots))]) + [
            ("chain", chain(c.chain)),
            ("rewards", rewards(c.rewards)),
            ("limits", limits(c.limits)),
            ("wallets", .array(c.wallets.map { w in
                .object([("name", .string(w.name)), ("balance_sol", sol(w.balanceLamports)), ("account_age_slots", .uint(w.accountAgeSlots))])
            })),
            ("agents", .array(c.groups.map { group($0, symbols: symbols) })),
            ("tokens", .array(c.tokens.map { token($0, config: c) })),
            ("timeline", .array(c.timeline.map { entry($0, config: c) })),
        ] + (c.inputs.isEmpty ? [] : [("inputs", .array(c.inputs.map { input($0, config: c) }))])
          + (c.recipientPools.isEmpty ? [] : [("recipients", .array(c.recipientPools.map { .object([("name", .string($0.name)), ("count", .uint(UInt64($0.count)))]) }))])
          + (c.multisigs.isEmpty ? [] : [("multisigs", .array(c.multisigs.map { m in .object([
                ("name", .string(m.name)), ("signers", .array(m.signers.map { .string(accountName($0, config: c)) })),
                ("threshold", .uint(UInt64(m.threshold))), ("expiry", slots(m.expirySlots)), ("balance_sol", sol(m.balanceLamports)),
            ]) }))])
          + (s.websocket.map { [("websocket", websocket($0, symbols: symbols))] } ?? [])
          + (s.assertions.isEmpty ? [] : [("assertions", .array(s.assertions.map { .string($0.text) }))])
          + (c.stream.map { stream in [("trades", .object([
                ("wallet_balance_sol", sol(stream.balanceLamports)), ("account_age_slots", .uint(stream.accountAgeSlots)),
                ("csv", .string(TradeStreamFile.csv(ScenarioLoader.namedTrades(c)))),
            ]))] } ?? []))
    }

    static func chain(_ c: ChainConfig) -> JSON {
        // Compression settings appear only when they differ from the defaults, so that scenarios
        // written before them keep their digests.
        let d = ChainConfig()
        var cu: [(String, JSON)] = [
            ("buy", .uint(UInt64(c.computeUnits.buy))), ("sell", .uint(UInt64(c.computeUnits.sell))),
            ("create", .uint(UInt64(c.computeUnits.create))), ("claim", .uint(UInt64(c.computeUnits.claim))),
        ]
        if c.computeUnits != d.computeUnits {
            cu += [("standard_transfer", .uint(UInt64(c.computeUnits.standardTransferWithAccount))),
                   ("compressed_base", .uint(UInt64(c.computeUnits.compressedBase))),
                   ("compressed_per_account", .uint(UInt64(c.computeUnits.compressedPerAccount)))]
        }
        // Faults only when set: scenarios without them keep their canonical form and digest.
        var faults: [(String, JSON)] = []
        if c.leaderSkipBps > 0 { faults.append(("leader_skip_bps", .uint(UInt64(c.leaderSkipBps)))) }
        if c.rpcTimeoutBps > 0 { faults.append(("rpc_timeout_bps", .uint(UInt64(c.rpcTimeoutBps)))) }
        if c.dropAfterPreflightBps > 0 { faults.append(("drop_after_preflight_bps", .uint(UInt64(c.dropAfterPreflightBps)))) }
        let tree: [(String, JSON)] = c.stateTree == d.stateTree ? [] : [("state_tree", .object([
            ("depth", .uint(UInt64(c.stateTree.depth))), ("buffer", .uint(UInt64(c.stateTree.bufferSize))),
            ("canopy", .uint(UInt64(c.stateTree.canopyDepth))), ("root_history", .uint(UInt64(c.stateTree.rootHistory))),
        ]))]
        return .object([
            ("base_fee_lamports", .uint(c.baseFeeLamportsPerSignature)),
            ("block_cu_limit", .uint(c.blockComputeUnitLimit)),
            ("account_cu_limit", .uint(c.accountComputeUnitLimit)),
            ("expiry_slots", .uint(c.expirySlots)),
            ("drop_bps", .uint(UInt64(c.dropBps))),
            ("max_pending", .uint(UInt64(c.maxPendingTransactions))),
            ("token_account_rent_lamports", .uint(c.tokenAccountRentLamports)),
            ("compute_units", .object(cu)),
        ] + tree + faults)
    }

    static func rewards(_ r: RewardsConfig) -> JSON {
        .object([
            ("points_per_sol", .uint(r.pointsPerSol)),
            ("points_per_launch", .uint(r.pointsPerLaunch)),
            ("points_per_chat", .uint(r.pointsPerChat)),
            ("lamports_per_point", .uint(r.lamportsPerPoint)),
            ("vault_sol", sol(r.vaultLamports)),
            ("tiers", .array(r.tiers.map { t in
                .object([("name", .string(t.name)), ("min_points", .uint(t.minPoints)), ("multiplier_bps", .uint(UInt64(t.multiplierBps)))])
            })),
        ])
    }

    static func limits(_ l: LimitsConfig) -> JSON {
        var fields: [(String, JSON)] = []
        if l.maxTradesPerWindow > 0 {
            fields.append(("rate_limit", .object([("trades", .uint(UInt64(l.maxTradesPerWindow))), ("window", slots(l.windowSlots))])))
        }
        if l.minAccountAgeSlots > 0 {
            fields.append(("min_account_age", slots(l.minAccountAgeSlots)))
            fields.append(("launch_protection", slots(l.launchProtectionSlots)))
        }
        return .object(fields)
    }

    static func group(_ g: AgentGroupSpec, symbols: [String]) -> JSON {
        let params: JSON
        switch g.strategy {
        case .retail(let p):
            params = .object([
                ("trades_per_hour", .decimal(p.tradesPerHourMilli, scale: 3)),
                ("buy_bps", .uint(UInt64(p.buyBps))),
                ("size_sol", .object([("median", sol(p.sizeMedianLamports)), ("sigma", .decimal(p.sizeSigmaMilli, scale: 3))])),
                ("max_size_sol", sol(p.sizeMaxLamports)),
                ("sell_fraction_bps", range(p.sellFractionBps) { .uint($0) }),
                ("slippage_bps", .uint(UInt64(p.slippageBps))),
                ("chat_bps", .uint(UInt64(p.chatBps))),
                ("claim_at_sol", sol(p.claimAtLamports)),
                ("start_at", slots(p.startTick)),
            ])
        case .sniper(let p):
            params = .object([
                ("targets", .array(p.targets.map { .string(symbols[Int($0)]) })),
                ("delay_slots", range(p.delaySlots) { .uint($0) }),
                ("buy_sol", range(p.buyLamports, sol)),
                ("slippage_bps", .uint(UInt64(p.slippageBps))),
                ("take_profit_bps", .uint(UInt64(p.takeProfitBps))),
                ("stop_loss_bps", .uint(UInt64(p.stopLossBps))),
                ("check_every_slots", .uint(p.checkEverySlots)),
                ("max_hold_slots", .uint(p.maxHoldSlots)),
            ] + (p.bundleTipLamports > 0 ? [("bundle_tip_sol", sol(p.bundleTipLamports))] : []))
        case .whale(let p):
            params = .object([
                ("every", range(p.everySlots, slots)),
                ("buy_sol", range(p.buyLamports, sol)),
                ("dump_bps", .uint(UInt64(p.dumpBps))),
                ("slippage_bps", .uint(UInt64(p.slippageBps))),
                ("start_at", slots(p.startTick)),
            ])
        case .creator(let p):
            params = .object([("dump_bps", .uint(UInt64(p.dumpBps))), ("dump_after", range(p.dumpAfterSlots, slots))])
        case .marketMaker(let p):
            params = .object((p.target.map { [("token", JSON.string(symbols[Int($0)]))] } ?? []) + [
                ("every", range(p.everySlots, slots)),
                ("spread_bps", .uint(UInt64(p.spreadBps))),
                ("order_sol", sol(p.orderLamports)),
                ("inventory_sol", sol(p.inventoryLimitLamports)),
                ("slippage_bps", .uint(UInt64(p.slippageBps))),
                ("start_at", slots(p.startTick)),
            ])
        }
        let venue: JSON
        switch g.venue {
        case .chain: venue = .string("chain")
        case .virtual(let m): venue = .object([("virtual", .string(symbols[Int(m)]))])
        }
        return .object([
            ("name", .string(g.name)),
            ("count", .uint(UInt64(g.count))),
            ("strategy", .string(g.strategy.name)),
            ("balance_sol", range(g.balanceLamports, sol)),
            ("account_age_slots", range(g.accountAgeSlots) { .uint($0) }),
            ("priority_fee", range(g.priorityMicroLamportsPerCU) { .uint($0) }),
            ("venue", venue),
            ("params", params),
        ])
    }

    /// The wallet or creator-group name that resolves to `account`.
    static func accountName(_ account: AccountID, config c: SimulationConfig) -> String {
        for (i, w) in c.wallets.enumerated() where c.walletAccount(i) == account { return w.name }
        for (i, m) in c.multisigs.enumerated() where c.multisigVaultAccount(i) == account { return m.name }
        for (g, group) in c.groups.enumerated() {
            let first = c.groupFirstAccount(g)
            if account >= first && account < first + UInt32(group.count) { return group.name }
        }
        return "account-\(account)"
    }

    static func token(_ t: TokenSpec, config c: SimulationConfig) -> JSON {
        let m = c.tokens.firstIndex { $0.symbol == t.symbol }
        if let stream = c.stream, stream.trades.contains(where: { if case .create = $0.action { return Int($0.mint) == m } else { return false } }) {
            // Created by the trade stream: its create row carries creator, launch and initial buy.
            var fields: [(String, JSON)] = [("symbol", .string(t.symbol)), ("name", .string(t.name)),
                                            ("priority_fee", .uint(t.priorityMicroLamportsPerCU)), ("curve", curve(t.curve))]
            if let play = t.virtualEnvironmentPlayLamports { fields.append(("virtual_environment", .object([("play_balance_sol", sol(play))]))) }
            return .object(fields)
        }
        var fields: [(String, JSON)] = [
            ("symbol", .string(t.symbol)),
            ("name", .string(t.name)),
            ("creator", .string(accountName(t.creator, config: c))),
            ("initial_buy_sol", sol(t.initialBuyLamports)),
            ("priority_fee", .uint(t.priorityMicroLamportsPerCU)),
            ("curve", curve(t.curve)),
        ]
        if let at = t.launchTick { fields.append(("launch_at", slots(at))) }
        if let play = t.virtualEnvironmentPlayLamports { fields.append(("virtual_environment", .object([("play_balance_sol", sol(play))]))) }
        if t.bundleBuyLamports > 0 { fields.append(("bundle", .object([("buy_sol", sol(t.bundleBuyLamports)), ("tip_sol", sol(t.bundleTipLamports))]))) }
        return .object(fields)
    }

    static func feeProfile(_ p: FeeProfile) -> JSON {
        if let named = FeeProfile.named(p.name), named == p { return .string(p.name) }
        return .object([("protocol_bps", .uint(UInt64(p.protocolBps))), ("creator_bps", .uint(UInt64(p.creatorBps))),
                        ("rounding", .string(p.rounding.rawValue))])
    }

    static func curve(_ curve: AnyCurve) -> JSON {
        var fields: [(String, JSON)] = [("family", .string(curve.familyName))]
        switch curve {
        case .pumpFun(let c):
            fields += [("fee_profile", feeProfile(c.feeProfile)), ("creator_fee", .bool(c.creatorFeeApplies)), ("partial_fill", .bool(c.partialFill)),
                       ("total_supply", .decimal(c.parameters.tokenTotalSupply, scale: 6)),
                       ("virtual_sol", sol(c.parameters.initialVirtualSol)),
                       ("virtual_tokens", .decimal(c.parameters.initialVirtualToken, scale: 6)),
                       ("real_tokens", .decimal(c.parameters.initialRealToken, scale: 6)),
                       ("migration_fee_sol", sol(c.parameters.poolMigrationFee))]
        case .linear(let c):
            fields += [("fee_profile", feeProfile(c.feeProfile)), ("creator_fee", .bool(c.creatorFeeApplies)), ("partial_fill", .bool(c.partialFill)),
                       ("total_supply", .decimal(c.tokenTotalSupply, scale: 6)),
                       ("start_price", .decimal(c.startPriceNanos, scale: 9)), ("end_price", .decimal(c.endPriceNanos, scale: 9)),
                       ("sellable_tokens", .decimal(c.initialRealToken, scale: 6))]
        case .exponential(let c):
            fields += [("fee_profile", feeProfile(c.feeProfile)), ("creator_fee", .bool(c.creatorFeeApplies)), ("partial_fill", .bool(c.partialFill)),
                       ("total_supply", .decimal(c.tokenTotalSupply, scale: 6)),
                       ("start_price", .decimal(c.startPriceNanos, scale: 9)), ("doubling_tokens", .decimal(c.doublingTokens, scale: 6)),
                       ("sellable_tokens", .decimal(c.initialRealToken, scale: 6))]
        }
        return .object(fields)
    }

    static func input(_ e: InputEntry, config c: SimulationConfig) -> JSON {
        guard case .object(let f) = entry(TimelineEntry(tick: e.tick, command: e.command), config: c) else { return .null }
        return .object([f[0], ("source", .string(e.source.name))] + f.dropFirst())
    }

    static func entry(_ e: TimelineEntry, config c: SimulationConfig) -> JSON {
        let sym = { (m: MintID) -> JSON in .string(c.tokens[Int(m)].symbol) }
        let wal = { (a: AccountID) -> JSON in .string(accountName(a, config: c)) }
        var f: [(String, JSON)] = [("at", slots(e.tick))]
        switch e.command {
        case .launch(let m): f += [("action", .string("launch")), ("token", sym(m))]
        case .buy(let w, let m, let l, let s, let p):
            f += [("action", .string("buy")), ("wallet", wal(w)), ("token", sym(m)), ("sol", sol(l)), ("slippage_bps", .uint(UInt64(s))), ("priority_fee", .uint(p))]
        case .buyTokens(let w, let m, let t, let max, let p):
            f += [("action", .string("buy_tokens")), ("wallet", wal(w)), ("token", sym(m)), ("tokens", .decimal(t, scale: 6)), ("max_sol", sol(max)), ("priority_fee", .uint(p))]
        case .sell(let w, let m, let t, let s, let p):
            f += [("action", .string("sell")), ("wallet", wal(w)), ("token", sym(m)), ("tokens", .decimal(t, scale: 6)), ("slippage_bps", .uint(UInt64(s))), ("priority_fee", .uint(p))]
        case .sellShare(let w, let m, let share, let s, let p):
            f += [("action", .string("sell")), ("wallet", wal(w)), ("token", sym(m)), ("share_bps", .uint(UInt64(share))), ("slippage_bps", .uint(UInt64(s))), ("priority_fee", .uint(p))]
        case .claim(let w, let p): f += [("action", .string("claim")), ("wallet", wal(w)), ("priority_fee", .uint(p))]
        case .chat(let w, let m, let b): f += [("action", .string("chat")), ("wallet", wal(w)), ("token", sym(m)), ("bytes", .uint(UInt64(b)))]
        case .openEnvironment(let m, let play): f += [("action", .string("open_environment")), ("token", sym(m)), ("play_balance_sol", sol(play))]
        case .joinEnvironment(let m, let w): f += [("action", .string("join_environment")), ("wallet", wal(w)), ("token", sym(m))]
        case .virtualBuy(let m, let w, let l): f += [("action", .string("virtual_buy")), ("wallet", wal(w)), ("token", sym(m)), ("sol", sol(l))]
        case .virtualSell(let m, let w, let share): f += [("action", .string("virtual_sell")), ("wallet", wal(w)), ("token", sym(m)), ("share_bps", .uint(UInt64(share)))]
        case .airdrop(let w, let m, let first, let n, let a, let compressed, let perTx, let p):
            let pool = (0..<c.recipientPools.count).last { c.poolFirstAccount($0) <= first } ?? 0
            f += [("action", .string("airdrop")), ("wallet", wal(w)), ("token", sym(m)), ("recipients", .string(c.recipientPools[pool].name)),
                  ("from", .uint(UInt64(first - c.poolFirstAccount(pool)))), ("count", .uint(UInt64(n))), ("amount", .decimal(a, scale: 6)),
                  ("mode", .string(compressed ? "compressed" : "standard")), ("per_tx", .uint(UInt64(perTx))), ("priority_fee", .uint(p))]
        case .compressedTransfer(let w, let m, let to, let a, let p):
            f += [("action", .string("compressed_transfer")), ("wallet", wal(w)), ("token", sym(m)), ("to", wal(to)), ("tokens", .decimal(a, scale: 6)), ("priority_fee", .uint(p))]
        case .compress(let w, let m, let a, let p):
            f += [("action", .string("compress")), ("wallet", wal(w)), ("token", sym(m)), ("tokens", .decimal(a, scale: 6)), ("priority_fee", .uint(p))]
        case .decompress(let w, let m, let a, let p):
            f += [("action", .string("decompress")), ("wallet", wal(w)), ("token", sym(m)), ("tokens", .decimal(a, scale: 6)), ("priority_fee", .uint(p))]
        case .propose(let g, let w, let action):
            f += [("action", .string("propose")), ("multisig", .string(c.multisigs[Int(g)].name)), ("wallet", wal(w))]
            switch action {
            case .launch(let m): f += [("launch", sym(m))]
            case .withdraw(let to, let l): f += [("withdraw", .object([("to", wal(to)), ("sol", sol(l))]))]
            }
        case .bundledBuy(let w, let m, let l, let s, let p, let t):
            f += [("action", .string("bundled_buy")), ("wallet", wal(w)), ("token", sym(m)), ("sol", sol(l)), ("slippage_bps", .uint(UInt64(s))),
                  ("priority_fee", .uint(p)), ("tip_sol", sol(t))]
        case .approve(let g, let n, let w):
            f += [("action", .string("approve")), ("multisig", .string(c.multisigs[Int(g)].name)), ("wallet", wal(w)), ("proposal", .uint(UInt64(n)))]
        }
        return .object(f)
    }
}

import Foundation
import SimCore
import Curves
import Ledger
import Rewards
import Engine

/// Reads scenario files (YAML or JSON, `version: 1`) into a `SimulationConfig`.
public enum ScenarioLoader {
    /// The scenario format version this engine reads.
    public static let version: UInt64 = 1
    /// Most slots one run may simulate: 30 days of 400 ms slots.
    public static let maxSlots: UInt64 = 6_480_000

    /// Loads a file, applying `--set key.path=value` overrides first.
    public static func load(path: String, overrides: [String] = []) throws(ScenarioError) -> ResolvedScenario {
        try parse(try read(path), file: path, defaultName: stem(path), overrides: overrides)
    }

    /// A scenario file's text; a file too large to be a scenario is refused before it is read.
    static func read(_ path: String) throws(ScenarioError) -> String {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > YAMLGuard.maxBytes {
            throw ScenarioError(file: path, line: 0, column: 0, field: "", message: "the file is \(size) bytes; a scenario has at most \(YAMLGuard.maxBytes) (a trade stream goes in its own file: trades.file)")
        }
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ScenarioError(file: path, line: 0, column: 0, field: "", message: "cannot read the file (\(error.localizedDescription))")
        }
    }

    static func stem(_ path: String) -> String {
        path.split(separator: "/").last.map { String($0.split(separator: ".").first ?? $0) } ?? "scenario"
    }

    /// Parses scenario text.
    public static func parse(_ text: String, file: String, defaultName: String = "scenario",
                             overrides: [String] = []) throws(ScenarioError) -> ResolvedScenario {
        var root = try SNode.parse(text, file: file)
        for o in overrides { try root.override(o) }
        return try decode(root, defaultName: defaultName)
    }

    static let topLevel = ["version", "name", "description", "seed", "duration", "slot_ms", "checkpoint_every", "multisigs",
                           "price_sample_every", "early_buyer_window", "chain", "tokens", "wallets", "agents", "recipients", "rewards", "limits", "timeline",
                           "inputs", "websocket", "assertions", "trades", "fuzz"]

    static func decode(_ root: SNode, defaultName: String) throws(ScenarioError) -> ResolvedScenario {
        var rows: Int?
        return try decode(root, defaultName: defaultName, materializeStream: true, streamRows: &rows)
    }

    static func decode(_ root: SNode, defaultName: String, materializeStream: Bool, streamRows: inout Int?) throws(ScenarioError) -> ResolvedScenario {
        let f = try Fields(root, path: "", allowed: topLevel)
        let version = try f.need("version", "the format version (version: 1)", Decode.uint())
        guard version == ScenarioLoader.version else {
            throw ScenarioError(f["version"]!.origin, field: "version", version > ScenarioLoader.version
                ? "scenario format version \(version) is newer than this pumpsim reads (version \(ScenarioLoader.version)); use a newer pumpsim"
                : "unsupported version \(version); this pumpsim reads version \(ScenarioLoader.version)")
        }
        var c = SimulationConfig()
        c.name = try f.get("name", default: defaultName, Decode.name)
        _ = try f.get("description", default: "", Decode.prose)
        c.seed = try f.get("seed", default: 1, Decode.uint())
        c.clock = SimClock(slotMillis: try f.get("slot_ms", default: 400, Decode.millis(max: 60_000)))
        let ticks = Decode.ticks(slotMillis: c.clock.slotMillis)
        c.durationTicks = try f.need("duration", "how long to simulate (like 10m)", ticks)
        guard c.durationTicks > 0 else { throw ScenarioError(f["duration"]!.origin, field: "duration", "must be longer than zero") }
        guard c.durationTicks <= maxSlots else {
            throw ScenarioError(f["duration"]!.origin, field: "duration",
                                "\(c.durationTicks) slots of \(c.clock.slotMillis) ms is more than the \(maxSlots) slots one run may have (30 days of 400 ms slots); use a shorter duration or longer slots")
        }
        c.checkpointEveryEvents = try f.get("checkpoint_every", default: 100_000, Decode.uint(max: 1_000_000_000, min: 1))
        c.priceSampleEverySlots = try f.get("price_sample_every", default: c.clock.ticks(forMillis: 60_000), ticks)
        c.earlyBuyerSlots = try f.get("early_buyer_window", default: c.earlyBuyerSlots, ticks)
        if let n = f["chain"] { c.chain = try chain(n, path: "chain") }
        if let n = f["rewards"] { c.rewards = try rewards(n, path: "rewards") }
        if let n = f["limits"] { c.limits = try limits(n, path: "limits", ticks: ticks) }

        let tokenNodes = try f.get("tokens", default: [], Decode.list)
        guard !tokenNodes.isEmpty else {
            throw ScenarioError(root.origin, field: "tokens", "missing; expected a list of at least one token")
        }
        let symbols = try scanNames(tokenNodes, key: "symbol", path: "tokens")
        var streamSource: StreamSource?
        if let n = f["trades"] {
            streamSource = try tradesSection(n, symbols: symbols, slotMillis: c.clock.slotMillis, durationTicks: c.durationTicks,
                                             expirySlots: c.chain.expirySlots, materialize: materializeStream, ticks: ticks)
        }
        let streamCreated = Set((streamSource?.creates.keys).map { $0.map { symbols[$0] } } ?? [])
        streamRows = streamSource?.rowCount
        let walletNodes = try f.get("wallets", default: [], Decode.list)
        let walletNames = try scanNames(walletNodes, key: "name", path: "wallets")
        for (i, w) in walletNodes.enumerated() { c.wallets.append(try wallet(w, path: "wallets[\(i)]")) }
        let groupNodes = try f.get("agents", default: [], Decode.list)
        let groupNames = try scanNames(groupNodes, key: "name", path: "agents")
        guard c.wallets.count + groupNodes.count <= 1_000 else {
            throw ScenarioError(root.origin, field: "agents", "at most 1000 wallets and agent groups")
        }
        for (i, g) in groupNodes.enumerated() {
            c.groups.append(try group(g, path: "agents[\(i)]", symbols: symbols, ticks: ticks))
        }
        guard c.agentCount <= 2_000_000 else {
            throw ScenarioError(root.origin, field: "agents", "absurd population: at most 2,000,000 agents in all, found \(c.agentCount)")
        }
        let poolNodes = try f.get("recipients", default: [], Decode.list)
        _ = try scanNames(poolNodes, key: "name", path: "recipients")
        for (i, p) in poolNodes.enumerated() {
            let g = try Fields(p, path: "recipients[\(i)]", allowed: ["name", "count"])
            c.recipientPools.append(RecipientPool(name: try g.need("name", "a unique name", Decode.name),
                                                  count: Int(try g.need("count", "how many accounts (1 to 2,000,000)", Decode.uint(max: 2_000_000, min: 1)))))
        }
        // Multisigs: their treasuries come after every other account (a scenario with a trade
        // stream has none, so they are known here).
        let multisigNodes = try f.get("multisigs", default: [], Decode.list)
        let multisigNames = try scanNames(multisigNodes, key: "name", path: "multisigs")
        if !multisigNodes.isEmpty, streamSource != nil {
            throw ScenarioError(f["multisigs"]!.origin, field: "multisigs", "a scenario with a trade stream cannot have multisigs")
        }
        for (i, m) in multisigNodes.enumerated() {
            c.multisigs.append(try multisig(m, path: "multisigs[\(i)]", config: c, walletNames: walletNames, groupNames: groupNames, ticks: ticks))
        }
        var creatorsTaken: [Int] = Array(repeating: 0, count: c.groups.count)
        for (i, t) in tokenNodes.enumerated() {
            c.tokens.append(try token(t, path: "tokens[\(i)]", config: c, walletNames: walletNames, groupNames: groupNames, multisigNames: multisigNames,
                                      creatorsTaken: &creatorsTaken, ticks: ticks, createdByStream: streamCreated.contains(symbols[i])))
        }
        for (i, t) in tokenNodes.enumerated() where c.tokens[i].launchTick.map({ $0 >= c.durationTicks }) ?? false {
            throw ScenarioError(t.origin, field: "tokens[\(i)].launch_at", "launches after the run ends (duration is \(c.durationTicks) slots)")
        }
        let timelineNodes = try f.get("timeline", default: [], Decode.list)
        for (i, e) in timelineNodes.enumerated() {
            c.timeline.append(try timelineEntry(e, path: "timeline[\(i)]", config: c, symbols: symbols, walletNames: walletNames, ticks: ticks))
        }
        let inputNodes = try f.get("inputs", default: [], Decode.list)
        for (i, e) in inputNodes.enumerated() {
            c.inputs.append(try inputEntry(e, path: "inputs[\(i)]", config: c, symbols: symbols, walletNames: walletNames, ticks: ticks))
        }
        if let streamSource { attachStream(streamSource, to: &c) }
        var resolved = ResolvedScenario(config: c)
        if let w = f["websocket"] { resolved.websocket = try websocket(w, path: "websocket", symbols: symbols) }
        if let a = f["assertions"] {
            resolved.assertions = try assertions(a, path: "assertions", symbols: symbols)
            if resolved.assertions.contains(where: { $0.target == .ws }) && resolved.websocket == nil {
                throw ScenarioError(a.origin, field: "assertions", "the ws.* metrics need a websocket section")
            }
        }
        if let z = f["fuzz"] {
            resolved.fuzz = try fuzz(z, path: "fuzz", groupNames: c.groups.map(\.name), websocket: resolved.websocket)
        }
        return resolved
    }

    /// The `key` of every element (unique, required), so references can be checked before decoding.
    static func scanNames(_ nodes: [SNode], key: String, path: String) throws(ScenarioError) -> [String] {
        var names: [String] = []
        for (i, n) in nodes.enumerated() {
            guard case .mapping = n.kind else { throw ScenarioError(n.origin, field: "\(path)[\(i)]", "expected a mapping of fields, found \(describe(n))") }
            guard let node = n.child(key) else {
                throw ScenarioError(n.origin, field: "\(path)[\(i)].\(key)", "missing; expected a unique \(key)")
            }
            let name = try Decode.name(node, "\(path)[\(i)].\(key)")
            if names.contains(name) { throw ScenarioError(n.origin, field: "\(path)[\(i)].\(key)", "duplicate \(key) \"\(name)\"") }
            names.append(name)
        }
        return names
    }

    static func reference(_ n: SNode, _ path: String, in names: [String], what: String) throws(ScenarioError) -> Int {
        let name = try Decode.text(n, path)
        guard let i = names.firstIndex(of: name) else {
            let known = names.isEmpty ? "none are declared" : "known: \(names.joined(separator: ", "))"
            throw ScenarioError(n.origin, field: path, "unknown \(what) \"\(name)\" (\(known))")
        }
        return i
    }

    // MARK: chain, rewards, limits

    static func chain(_ n: SNode, path: String) throws(ScenarioError) -> ChainConfig {
        let f = try Fields(n, path: path, allowed: ["base_fee_lamports", "block_cu_limit", "account_cu_limit", "expiry_slots",
                                                  "drop_bps", "max_pending", "token_account_rent_lamports", "compute_units", "state_tree",
                                                  "leader_skip_bps", "rpc_timeout_bps", "drop_after_preflight_bps"])
        var c = ChainConfig()
        c.baseFeeLamportsPerSignature = try f.get("base_fee_lamports", default: c.baseFeeLamportsPerSignature, Decode.uint(max: 1_000_000_000))
        c.blockComputeUnitLimit = try f.get("block_cu_limit", default: c.blockComputeUnitLimit, Decode.uint(max: 10_000_000_000, min: 1))
        c.accountComputeUnitLimit = try f.get("account_cu_limit", default: c.accountComputeUnitLimit, Decode.uint(max: 10_000_000_000, min: 1))
        c.expirySlots = try f.get("expiry_slots", default: c.expirySlots, Decode.uint(max: 1_000_000, min: 1))
        c.dropBps = UInt32(try f.get("drop_bps", default: UInt64(c.dropBps), Decode.bps))
        c.leaderSkipBps = UInt32(try f.get("leader_skip_bps", default: 0, Decode.bps))
        c.rpcTimeoutBps = UInt32(try f.get("rpc_timeout_bps", default: 0, Decode.bps))
        c.dropAfterPreflightBps = UInt32(try f.get("drop_after_preflight_bps", default: 0, Decode.bps))
        c.maxPendingTransactions = Int(try f.get("max_pending", default: UInt64(c.maxPendingTransactions), Decode.uint(max: 100_000_000, min: 1)))
        c.tokenAccountRentLamports = try f.get("token_account_rent_lamports", default: c.tokenAccountRentLamports, Decode.uint(max: 1_000_000_000_000))
        if let cu = f["compute_units"] {
            let g = try Fields(cu, path: f.sub("compute_units"), allowed: ["buy", "sell", "create", "claim", "standard_transfer",
                                                                          "compressed_base", "compressed_per_account"])
            let limit = Decode.uint(max: 1_400_000, min: 1)
            c.computeUnits.buy = UInt32(try g.get("buy", default: UInt64(c.computeUnits.buy), limit))
            c.computeUnits.sell = UInt32(try g.get("sell", default: UInt64(c.computeUnits.sell), limit))
            c.computeUnits.create = UInt32(try g.get("create", default: UInt64(c.computeUnits.create), limit))
            c.computeUnits.claim = UInt32(try g.get("claim", default: UInt64(c.computeUnits.claim), limit))
            c.computeUnits.standardTransferWithAccount = UInt32(try g.get("standard_transfer", default: UInt64(c.computeUnits.standardTransferWithAccount), limit))
            c.computeUnits.compressedBase = UInt32(try g.get("compressed_base", default: UInt64(c.computeUnits.compressedBase), limit))
            c.computeUnits.compressedPerAccount = UInt32(try g.get("compressed_per_account", default: UInt64(c.computeUnits.compressedPerAccount), limit))
        }
        if let st = f["state_tree"] {
            let g = try Fields(st, path: f.sub("state_tree"), allowed: ["depth", "buffer", "canopy", "root_history"])
            var t = StateTreeConfig()
            t.depth = Int(try g.get("depth", default: UInt64(t.depth), Decode.uint(max: 32, min: 1)))
            t.bufferSize = Int(try g.get("buffer", default: UInt64(t.bufferSize), Decode.uint(max: 65_536, min: 1)))
            guard t.bufferSize & (t.bufferSize - 1) == 0 else {
                throw ScenarioError(g["buffer"]!.origin, field: g.sub("buffer"), "must be a power of 2 (SPL and Light require it), found \(t.bufferSize)")
            }
            t.canopyDepth = Int(try g.get("canopy", default: UInt64(min(t.canopyDepth, t.depth - 1)), Decode.uint(max: 20)))
            guard t.canopyDepth < t.depth else {
                throw ScenarioError((g["canopy"] ?? st).origin, field: g.sub("canopy"), "must be below the depth (\(t.depth)), found \(t.canopyDepth)")
            }
            t.rootHistory = Int(try g.get("root_history", default: UInt64(t.rootHistory), Decode.uint(max: 100_000, min: 1)))
            c.stateTree = t
        }
        return c
    }

    static func rewards(_ n: SNode, path: String) throws(ScenarioError) -> RewardsConfig {
        let f = try Fields(n, path: path, allowed: ["points_per_sol", "points_per_launch", "points_per_chat", "lamports_per_point", "vault_sol", "tiers"])
        var r = RewardsConfig()
        let points = Decode.uint(max: 1_000_000_000)
        r.pointsPerSol = try f.get("points_per_sol", default: r.pointsPerSol, points)
        r.pointsPerLaunch = try f.get("points_per_launch", default: r.pointsPerLaunch, points)
        r.pointsPerChat = try f.get("points_per_chat", default: r.pointsPerChat, points)
        r.lamportsPerPoint = try f.get("lamports_per_point", default: r.lamportsPerPoint, Decode.uint(max: 1_000_000_000))
        r.vaultLamports = try f.get("vault_sol", default: r.vaultLamports, Decode.sol)
        if let t = f["tiers"] {
            let items = try Decode.list(t, f.sub("tiers"))
            guard !items.isEmpty, items.count <= 32 else { throw ScenarioError(t.origin, field: f.sub("tiers"), "expected 1 to 32 tiers") }
            r.tiers = []
            for (i, item) in items.enumerated() {
                let p = "\(f.sub("tiers"))[\(i)]"
                let g = try Fields(item, path: p, allowed: ["name", "min_points", "multiplier_bps"])
                let tier = Tier(name: try g.need("name", "the tier's name", Decode.name),
                                minPoints: try g.need("min_points", "the lifetime points that reach it", points),
                                multiplierBps: UInt32(try g.need("multiplier_bps", "the points multiplier in bps (10000 = 1x)", Decode.uint(max: 1_000_000))))
                if i == 0 && tier.minPoints != 0 { throw ScenarioError(item.origin, field: "\(p).min_points", "the first tier must start at 0") }
                if let prev = r.tiers.last, tier.minPoints <= prev.minPoints {
                    throw ScenarioError(item.origin, field: "\(p).min_points", "tiers must be in increasing min_points order")
                }
                r.tiers.append(tier)
            }
        }
        return r
    }

    static func limits(_ n: SNode, path: String, ticks: @escaping (SNode, String) throws(ScenarioError) -> UInt64) throws(ScenarioError) -> LimitsConfig {
        let f = try Fields(n, path: path, allowed: ["rate_limit", "min_account_age", "launch_protection"])
        var l = LimitsConfig()
        if let r = f["rate_limit"] {
            let g = try Fields(r, path: f.sub("rate_limit"), allowed: ["trades", "window"])
            l.maxTradesPerWindow = UInt32(try g.need("trades", "trades allowed per window", Decode.uint(max: 1_000_000, min: 1)))
            l.windowSlots = try g.need("window", "the window length (like 60s)", ticks)
            guard l.windowSlots > 0 else { throw ScenarioError(r.origin, field: g.sub("window"), "must be longer than zero") }
        }
        l.minAccountAgeSlots = try f.get("min_account_age", default: 0, ticks)
        l.launchProtectionSlots = try f.get("launch_protection", default: 0, ticks)
        if (l.minAccountAgeSlots == 0) != (l.launchProtectionSlots == 0) {
            throw ScenarioError(n.origin, field: path, "min_account_age and launch_protection go together: set both or neither")
        }
        return l
    }

    // MARK: wallets and agents

    static func wallet(_ n: SNode, path: String) throws(ScenarioError) -> WalletSpec {
        let f = try Fields(n, path: path, allowed: ["name", "balance_sol", "account_age_slots"])
        return WalletSpec(name: try f.need("name", "a unique name", Decode.name),
                          balanceLamports: try f.get("balance_sol", default: 10_000_000_000, Decode.sol),
                          accountAgeSlots: try f.get("account_age_slots", default: 1_000_000, Decode.uint(max: 1_000_000_000)))
    }

    static func group(_ n: SNode, path: String, symbols: [String],
                      ticks: @escaping (SNode, String) throws(ScenarioError) -> UInt64) throws(ScenarioError) -> AgentGroupSpec {
        let f = try Fields(n, path: path, allowed: ["name", "strategy", "params"] + AgentParamsSchema.group.map(\.key))
        let name = try f.need("name", "a unique name", Decode.name)
        let count = Int(try f.need("count", "how many agents (like 500; 0 switches the group off)", Decode.uint(max: 2_000_000)))
        let strategyName = try f.need("strategy", "one of creator, sniper, retail, whale, market_maker", Decode.text)
        let params = f["params"]
        let pp = f.sub("params")
        let strategy: Strategy
        switch strategyName {
        case "retail": strategy = .retail(try retailParams(params, path: pp, ticks: ticks))
        case "sniper": strategy = .sniper(try sniperParams(params, path: pp, symbols: symbols))
        case "whale": strategy = .whale(try whaleParams(params, path: pp, ticks: ticks))
        case "creator": strategy = .creator(try creatorParams(params, path: pp, ticks: ticks))
        case "market_maker": strategy = .marketMaker(try marketMakerParams(params, path: pp, symbols: symbols, ticks: ticks))
        default:
            throw ScenarioError(f["strategy"]!.origin, field: f.sub("strategy"), "unknown strategy \"\(strategyName)\"; expected one of creator, sniper, retail, whale, market_maker")
        }
        var venue = Venue.chain
        if let v = f["venue"] {
            if case .scalar(let s) = v.kind, s == "chain" {
                venue = .chain
            } else {
                let g = try Fields(v, path: f.sub("venue"), allowed: ["virtual"])
                venue = .virtual(MintID(try g.need("virtual", "the token whose virtual environment the group trades in",
                                                   { (n: SNode, p: String) throws(ScenarioError) in try reference(n, p, in: symbols, what: "token") })))
                guard case .retail = strategy else {
                    throw ScenarioError(v.origin, field: f.sub("venue"), "only retail agents trade in virtual environments")
                }
            }
        }
        return AgentGroupSpec(
            name: name, count: count, strategy: strategy,
            balanceLamports: try f.get("balance_sol", default: AgentParamsSchema.defaultBalance, Decode.range(Decode.sol)),
            accountAgeSlots: try f.get("account_age_slots", default: AgentParamsSchema.defaultAccountAge, Decode.range(Decode.uint(max: 1_000_000_000))),
            priorityMicroLamportsPerCU: try f.get("priority_fee", default: AgentParamsSchema.defaultPriorityFee, Decode.range(Decode.uint(max: 1_000_000_000_000))),
            venue: venue)
    }

    static func retailParams(_ n: SNode?, path: String, ticks: @escaping (SNode, String) throws(ScenarioError) -> UInt64) throws(ScenarioError) -> RetailParams {
        var p = RetailParams()
        guard let n else { return p }
        let f = try Fields(n, path: path, allowed: AgentParamsSchema.keys("retail"))
        p.tradesPerHourMilli = try f.get("trades_per_hour", default: p.tradesPerHourMilli, Decode.milli)
        p.buyBps = UInt32(try f.get("buy_bps", default: UInt64(p.buyBps), Decode.bps))
        if let s = f["size_sol"] {
            let g = try Fields(s, path: f.sub("size_sol"), allowed: ["median", "sigma"])
            p.sizeMedianLamports = try g.need("median", "the median buy in SOL", Decode.sol)
            p.sizeSigmaMilli = try g.get("sigma", default: p.sizeSigmaMilli, Decode.decimal(scale: 3, unit: "sigma", example: "1.0", maxWhole: 5))
        }
        p.sizeMaxLamports = try f.get("max_size_sol", default: p.sizeMaxLamports, Decode.sol)
        p.sellFractionBps = try f.get("sell_fraction_bps", default: p.sellFractionBps, Decode.range(Decode.bps))
        p.slippageBps = UInt32(try f.get("slippage_bps", default: UInt64(p.slippageBps), Decode.bps))
        p.chatBps = UInt32(try f.get("chat_bps", default: UInt64(p.chatBps), Decode.bps))
        p.claimAtLamports = try f.get("claim_at_sol", default: p.claimAtLamports, Decode.sol)
        p.startTick = try f.get("start_at", default: 0, ticks)
        return p
    }

    static func sniperParams(_ n: SNode?, path: String, symbols: [String]) throws(ScenarioError) -> SniperParams {
        var p = SniperParams()
        guard let n else { return p }
        let f = try Fields(n, path: path, allowed: AgentParamsSchema.keys("sniper"))
        if let t = f["targets"] {
            for (i, item) in try Decode.list(t, f.sub("targets")).enumerated() {
                p.targets.append(MintID(try reference(item, "\(f.sub("targets"))[\(i)]", in: symbols, what: "token")))
            }
        }
        p.delaySlots = try f.get("delay_slots", default: p.delaySlots, Decode.range(Decode.uint(max: 100_000)))
        p.buyLamports = try f.get("buy_sol", default: p.buyLamports, Decode.range(Decode.sol))
        p.slippageBps = UInt32(try f.get("slippage_bps", default: UInt64(p.slippageBps), Decode.bps))
        p.bundleTipLamports = try f.get("bundle_tip_sol", default: 0, Decode.sol)
        p.takeProfitBps = UInt32(try f.get("take_profit_bps", default: UInt64(p.takeProfitBps), Decode.uint(max: 1_000_000)))
        p.stopLossBps = UInt32(try f.get("stop_loss_bps", default: UInt64(p.stopLossBps), Decode.bps))
        p.checkEverySlots = try f.get("check_every_slots", default: p.checkEverySlots, Decode.uint(max: 1_000_000, min: 1))
        p.maxHoldSlots = try f.get("max_hold_slots", default: p.maxHoldSlots, Decode.uint(max: 100_000_000))
        return p
    }

    static func whaleParams(_ n: SNode?, path: String, ticks: @escaping (SNode, String) throws(ScenarioError) -> UInt64) throws(ScenarioError) -> WhaleParams {
        var p = WhaleParams()
        guard let n else { return p }
        let f = try Fields(n, path: path, allowed: AgentParamsSchema.keys("whale"))
        p.everySlots = try f.get("every", default: p.everySlots, Decode.range(ticks))
        guard p.everySlots.min > 0 else { throw ScenarioError(n.origin, field: f.sub("every"), "must be longer than zero") }
        p.buyLamports = try f.get("buy_sol", default: p.buyLamports, Decode.range(Decode.sol))
        p.dumpBps = UInt32(try f.get("dump_bps", default: UInt64(p.dumpBps), Decode.bps))
        p.slippageBps = UInt32(try f.get("slippage_bps", default: UInt64(p.slippageBps), Decode.bps))
        p.startTick = try f.get("start_at", default: 0, ticks)
        return p
    }

    static func marketMakerParams(_ n: SNode?, path: String, symbols: [String],
                                  ticks: @escaping (SNode, String) throws(ScenarioError) -> UInt64) throws(ScenarioError) -> MarketMakerParams {
        var p = MarketMakerParams()
        guard let n else { return p }
        let f = try Fields(n, path: path, allowed: AgentParamsSchema.keys("market_maker"))
        if let t = f["token"] { p.target = MintID(try reference(t, f.sub("token"), in: symbols, what: "token")) }
        p.everySlots = try f.get("every", default: p.everySlots, Decode.range(ticks))
        guard p.everySlots.min > 0 else { throw ScenarioError(n.origin, field: f.sub("every"), "must be longer than zero") }
        p.spreadBps = UInt32(try f.get("spread_bps", default: UInt64(p.spreadBps), Decode.uint(max: 10_000, min: 1)))
        p.orderLamports = try f.get("order_sol", default: p.orderLamports, Decode.sol)
        guard p.orderLamports > 0 else { throw ScenarioError(f["order_sol"]!.origin, field: f.sub("order_sol"), "must be above zero") }
        p.inventoryLimitLamports = try f.get("inventory_sol", default: p.inventoryLimitLamports, Decode.sol)
        p.slippageBps = UInt32(try f.get("slippage_bps", default: UInt64(p.slippageBps), Decode.bps))
        p.startTick = try f.get("start_at", default: 0, ticks)
        return p
    }

    static func creatorParams(_ n: SNode?, path: String, ticks: @escaping (SNode, String) throws(ScenarioError) -> UInt64) throws(ScenarioError) -> CreatorParams {
        var p = CreatorParams()
        guard let n else { return p }
        let f = try Fields(n, path: path, allowed: AgentParamsSchema.keys("creator"))
        p.dumpBps = UInt32(try f.get("dump_bps", default: UInt64(p.dumpBps), Decode.bps))
        p.dumpAfterSlots = try f.get("dump_after", default: p.dumpAfterSlots, Decode.range(ticks))
        return p
    }
}

extension ScenarioLoader {
    /// What `validate` reports of a valid scenario.
    public struct Summary: Sendable {
        public var name: String
        public var tokens: Int
        public var agents: Int
        public var slots: UInt64
        public var streamRows: Int?
    }

    /// Checks a scenario as `load` would, and summarises it.
    /// A trade stream is read and checked row by row and not kept: memory does not grow with it.
    public static func validate(path: String, overrides: [String] = []) throws(ScenarioError) -> Summary {
        let text = try read(path)
        var root = try SNode.parse(text, file: path)
        for o in overrides { try root.override(o) }
        var streamRows: Int?
        let s = try decode(root, defaultName: stem(path), materializeStream: false, streamRows: &streamRows)
        return Summary(name: s.name, tokens: s.tokens.count, agents: s.agentCount, slots: s.durationTicks, streamRows: streamRows)
    }
}

import SimCore
import Curves
import Ledger
import Engine

extension ScenarioLoader {
    static func token(_ n: SNode, path: String, config: SimulationConfig, walletNames: [String], groupNames: [String], multisigNames: [String] = [],
                      creatorsTaken: inout [Int], ticks: @escaping (SNode, String) throws(ScenarioError) -> UInt64,
                      createdByStream: Bool = false) throws(ScenarioError) -> TokenSpec {
        let f = try Fields(n, path: path, allowed: ["symbol", "name", "creator", "initial_buy_sol", "launch_at", "priority_fee",
                                                  "virtual_environment", "curve", "bundle"])
        let symbol = try f.need("symbol", "the ticker (like TEST)", Decode.name)
        if createdByStream {
            // The stream's create row names the creator, the launch slot and the initial buy.
            for key in ["creator", "launch_at", "initial_buy_sol"] where f[key] != nil {
                throw ScenarioError(f[key]!.origin, field: f.sub(key), "the trade stream creates \(symbol); its create row gives the creator, launch and initial buy")
            }
            return TokenSpec(symbol: symbol, name: try f.get("name", default: symbol, Decode.name), curve: try curve(f["curve"], path: f.sub("curve")),
                             creator: 0, initialBuyLamports: 0, launchTick: nil, virtualEnvironmentPlayLamports: try playBalance(f),
                             priorityMicroLamportsPerCU: try f.get("priority_fee", default: 100_000, Decode.uint(max: 1_000_000_000_000)))
        }
        let creatorNode = try f.required("creator", "a wallet name or an agent group with strategy creator (or a create row in the trade stream)")
        let creatorName = try Decode.text(creatorNode, f.sub("creator"))
        let creator: AccountID
        if let k = multisigNames.firstIndex(of: creatorName) {
            // A multisig's token launches when a proposal to launch it is approved, paid from its treasury.
            if let at = f["launch_at"] { throw ScenarioError(at.origin, field: f.sub("launch_at"), "\(symbol)'s creator is the multisig \(creatorName): it launches by an approved proposal (timeline action propose), not at a time") }
            creator = config.multisigVaultAccount(k)
        } else if let w = walletNames.firstIndex(of: creatorName) {
            creator = config.walletAccount(w)
        } else if let g = groupNames.firstIndex(of: creatorName) {
            guard case .creator = config.groups[g].strategy else {
                throw ScenarioError(creatorNode.origin, field: f.sub("creator"),
                                    "agent group \"\(creatorName)\" has strategy \(config.groups[g].strategy.name); a creator must be a wallet or a creator group")
            }
            guard creatorsTaken[g] < config.groups[g].count else {
                throw ScenarioError(creatorNode.origin, field: f.sub("creator"),
                                    "agent group \"\(creatorName)\" has \(config.groups[g].count) agents, fewer than the tokens that name it as creator")
            }
            creator = config.groupFirstAccount(g) + UInt32(creatorsTaken[g])
            creatorsTaken[g] += 1
        } else {
            let known = (walletNames + groupNames + multisigNames).joined(separator: ", ")
            throw ScenarioError(creatorNode.origin, field: f.sub("creator"), "unknown wallet or agent group \"\(creatorName)\" (known: \(known.isEmpty ? "none" : known))")
        }
        let play = try playBalance(f)
        var bundleBuy: UInt64 = 0, bundleTip: UInt64 = 0
        if let b = f["bundle"] {
            let g = try Fields(b, path: f.sub("bundle"), allowed: ["buy_sol", "tip_sol"])
            bundleBuy = try g.need("buy_sol", "the creator's buy sent with the create, SOL", Decode.sol)
            guard bundleBuy > 0 else { throw ScenarioError(g["buy_sol"]!.origin, field: g.sub("buy_sol"), "must be above zero") }
            bundleTip = try g.get("tip_sol", default: Bundles.minTipLamports, Decode.sol)
            guard bundleTip >= Bundles.minTipLamports else { throw ScenarioError(g["tip_sol"]!.origin, field: g.sub("tip_sol"), "a bundle tip is at least 0.000001 SOL (1 000 lamports)") }
        }
        var spec = TokenSpec(symbol: symbol,
                         name: try f.get("name", default: symbol, Decode.name),
                         curve: try curve(f["curve"], path: f.sub("curve")),
                         creator: creator,
                         initialBuyLamports: try f.get("initial_buy_sol", default: 0, Decode.sol),
                         launchTick: try f.get("launch_at", default: nil) { (n: SNode, p: String) throws(ScenarioError) -> Tick? in try ticks(n, p) },
                         virtualEnvironmentPlayLamports: play,
                         priorityMicroLamportsPerCU: try f.get("priority_fee", default: 100_000, Decode.uint(max: 1_000_000_000_000)))
        spec.bundleBuyLamports = bundleBuy
        spec.bundleTipLamports = bundleTip
        return spec
    }

    /// `virtual_environment: {play_balance_sol}`: the play balance of a paper-trading environment, if any.
    static func playBalance(_ f: Fields) throws(ScenarioError) -> UInt64? {
        guard let v = f["virtual_environment"] else { return nil }
        let g = try Fields(v, path: f.sub("virtual_environment"), allowed: ["play_balance_sol"])
        return try g.get("play_balance_sol", default: 100_000_000_000, Decode.sol)
    }

    /// Fields every curve family takes.
    public static let commonCurveFields = ["family", "fee_profile", "fee_bps", "creator_fee_bps", "creator_fee", "partial_fill", "total_supply"]

    /// The fields a curve of this family takes (nil: no such family).
    public static func curveFields(family: String) -> [String]? {
        switch family {
        case "pumpfun": return commonCurveFields + ["virtual_sol", "virtual_tokens", "real_tokens", "migration_fee_sol"]
        case "linear": return commonCurveFields + ["start_price", "end_price", "sellable_tokens"]
        case "exponential": return commonCurveFields + ["start_price", "doubling_tokens", "sellable_tokens"]
        default: return nil
        }
    }

    static func curve(_ n: SNode?, path: String) throws(ScenarioError) -> AnyCurve {
        guard let n else { return .pumpFun(PumpFunCurve()) }
        guard case .mapping = n.kind else { throw ScenarioError(n.origin, field: path, "expected a mapping of curve fields, found \(describe(n))") }
        let familyName = try n.child("family").map { node throws(ScenarioError) in try Decode.text(node, "\(path).family") } ?? "pumpfun"
        guard let allowed = curveFields(family: familyName) else {
            throw ScenarioError(n.origin, field: "\(path).family", "unknown curve family \"\(familyName)\"; expected pumpfun, linear or exponential")
        }
        let f = try Fields(n, path: path, allowed: allowed)
        var fees = try f.get("fee_profile", default: FeeProfile.v2025, feeProfile)
        // Shorthands for sweeps: the profile's protocol and creator shares in bps.
        if let bps = try f.get("fee_bps", default: nil, { (n: SNode, p: String) throws(ScenarioError) -> UInt64? in try Decode.uint(max: 5_000)(n, p) }) {
            fees = FeeProfile(name: "custom", protocolBps: UInt32(bps), creatorBps: fees.creatorBps, rounding: fees.rounding)
        }
        if let bps = try f.get("creator_fee_bps", default: nil, { (n: SNode, p: String) throws(ScenarioError) -> UInt64? in try Decode.uint(max: 5_000)(n, p) }) {
            fees = FeeProfile(name: "custom", protocolBps: fees.protocolBps, creatorBps: UInt32(bps), rounding: fees.rounding)
        }
        let creatorFee = try f.get("creator_fee", default: true, Decode.bool)
        let partial = try f.get("partial_fill", default: true, Decode.bool)
        let supply = try f.get("total_supply", default: 1_000_000_000_000_000, Decode.tokens)
        guard supply > 0 else { throw ScenarioError(n.origin, field: f.sub("total_supply"), "must be positive") }
        switch familyName {
        case "pumpfun":
            var p = PumpFunParameters()
            p.tokenTotalSupply = supply
            p.initialVirtualSol = try f.get("virtual_sol", default: p.initialVirtualSol, Decode.sol)
            p.initialVirtualToken = try f.get("virtual_tokens", default: p.initialVirtualToken, Decode.tokens)
            p.initialRealToken = try f.get("real_tokens", default: p.initialRealToken, Decode.tokens)
            p.poolMigrationFee = try f.get("migration_fee_sol", default: p.poolMigrationFee, Decode.sol)
            guard p.initialVirtualSol > 0 else { throw ScenarioError(n.origin, field: f.sub("virtual_sol"), "must be positive") }
            guard p.initialRealToken > 0 else { throw ScenarioError(n.origin, field: f.sub("real_tokens"), "must be positive") }
            guard p.initialVirtualToken > p.initialRealToken else {
                throw ScenarioError(n.origin, field: f.sub("virtual_tokens"), "must exceed real_tokens (the curve would reach a zero reserve)")
            }
            guard p.initialRealToken <= supply else { throw ScenarioError(n.origin, field: f.sub("real_tokens"), "must not exceed total_supply") }
            return .pumpFun(PumpFunCurve(parameters: p, feeProfile: fees, creatorFeeApplies: creatorFee, partialFill: partial))
        case "linear":
            let start = try f.need("start_price", "the first token's price in lamports per token", Decode.price)
            let end = try f.need("end_price", "the last token's price in lamports per token", Decode.price)
            let sellable = try f.get("sellable_tokens", default: 793_100_000_000_000, Decode.tokens)
            guard end >= start else { throw ScenarioError(n.origin, field: f.sub("end_price"), "must not be below start_price") }
            guard sellable > 0, sellable <= supply else { throw ScenarioError(n.origin, field: f.sub("sellable_tokens"), "must be positive and at most total_supply") }
            // The whole sellable supply's cost, in lamports: (start + end) / 2 per token.
            let cost = (UInt128(start) + UInt128(end)) * UInt128(sellable) / 2 / 1_000_000_000_000_000
            try checkCurveCost(cost, start: start, at: f["start_price"]!, path: f.sub("start_price"))
            return .linear(LinearCurve(startPriceNanos: start, endPriceNanos: end, sellableSupply: sellable, tokenTotalSupply: supply,
                                       feeProfile: fees, creatorFeeApplies: creatorFee, partialFill: partial))
        default:
            let start = try f.need("start_price", "the first token's price in lamports per token", Decode.price)
            let doubling = try f.need("doubling_tokens", "tokens sold per doubling of the price", Decode.tokens)
            let sellable = try f.get("sellable_tokens", default: 793_100_000_000_000, Decode.tokens)
            guard sellable > 0, sellable <= supply else { throw ScenarioError(n.origin, field: f.sub("sellable_tokens"), "must be positive and at most total_supply") }
            guard doubling > 0, sellable / doubling <= ExponentialCurve.maxDoublings else {
                throw ScenarioError(n.origin, field: f.sub("doubling_tokens"), "must be at least sellable_tokens / \(ExponentialCurve.maxDoublings)")
            }
            // The whole sellable supply costs at least start × sellable (the price only rises).
            try checkCurveCost(UInt128(start) * UInt128(sellable) / 1_000_000_000_000_000, start: start, at: f["start_price"]!, path: f.sub("start_price"))
            return .exponential(ExponentialCurve(startPriceNanos: start, doublingTokens: doubling, sellableSupply: sellable, tokenTotalSupply: supply,
                                                 feeProfile: fees, creatorFeeApplies: creatorFee, partialFill: partial))
        }
    }

    /// The smallest SOL a curve may raise by selling out: below it, prices round to zero lamports
    /// for any ordinary trade and the first buy takes the whole curve.
    static let minimumCurveLamports: UInt128 = 10_000_000

    /// Refuses a curve whose whole sellable supply costs less than 0.01 SOL. The usual slip is a
    /// price meant in SOL (pump.fun starts near 0.000000028 SOL = 28 lamports per token).
    static func checkCurveCost(_ lamports: UInt128, start: UInt64, at node: SNode, path: String) throws(ScenarioError) {
        guard lamports < minimumCurveLamports else { return }
        let price = FixedDecimal.format(UInt128(start), scale: 9)
        throw ScenarioError(node.origin, field: path,
                            "is in lamports per token: at \(price) lamports per token the whole curve sells out for \(lamports) lamports (below 0.01 SOL), so every price rounds to zero. Pump.fun starts near 28 lamports per token (0.000000028 SOL); if \(price) was meant in SOL, write \(FixedDecimal.format(UInt128(start), scale: 0)) (lamports per token)")
    }

    static func feeProfile(_ n: SNode, _ path: String) throws(ScenarioError) -> FeeProfile {
        if case .scalar(let name) = n.kind {
            guard let p = FeeProfile.named(name) else {
                throw ScenarioError(n.origin, field: path, "unknown fee profile \"\(name)\"; expected v2025, may2025, legacy2024 or a mapping {protocol_bps, creator_bps, rounding}")
            }
            return p
        }
        let f = try Fields(n, path: path, allowed: ["protocol_bps", "creator_bps", "rounding"])
        let protocolBps = try f.need("protocol_bps", "the protocol fee in bps", Decode.uint(max: 5_000))
        let creatorBps = try f.need("creator_bps", "the creator fee in bps", Decode.uint(max: 5_000))
        let roundingName = try f.get("rounding", default: "ceil", Decode.text)
        guard let rounding = FeeRounding(rawValue: roundingName) else {
            throw ScenarioError(n.origin, field: f.sub("rounding"), "expected ceil or floor")
        }
        return FeeProfile(name: "custom", protocolBps: UInt32(protocolBps), creatorBps: UInt32(creatorBps), rounding: rounding)
    }

    // MARK: timeline

    static let actionFields: [String: [String]] = [
        "launch": ["token"],
        "buy": ["wallet", "token", "sol", "slippage_bps", "priority_fee"],
        "buy_tokens": ["wallet", "token", "tokens", "max_sol", "priority_fee"],
        "sell": ["wallet", "token", "tokens", "share_bps", "slippage_bps", "priority_fee"],
        "claim": ["wallet", "priority_fee"],
        "chat": ["wallet", "token", "bytes"],
        "open_environment": ["token", "play_balance_sol"],
        "join_environment": ["wallet", "token"],
        "virtual_buy": ["wallet", "token", "sol"],
        "virtual_sell": ["wallet", "token", "share_bps"],
        "airdrop": ["wallet", "token", "recipients", "from", "count", "amount", "mode", "per_tx", "priority_fee"],
        "compressed_transfer": ["wallet", "token", "to", "tokens", "priority_fee"],
        "compress": ["wallet", "token", "tokens", "priority_fee"],
        "decompress": ["wallet", "token", "tokens", "priority_fee"],
        "propose": ["wallet", "multisig", "launch", "withdraw"],
        "bundled_buy": ["wallet", "token", "sol", "slippage_bps", "priority_fee", "tip_sol"],
        "approve": ["wallet", "multisig", "proposal"],
    ]

    /// `multisigs[i]`: `{name, signers: [wallets], threshold, expiry, balance_sol}`.
    static func multisig(_ n: SNode, path: String, config: SimulationConfig, walletNames: [String], groupNames: [String],
                         ticks: @escaping (SNode, String) throws(ScenarioError) -> UInt64) throws(ScenarioError) -> MultisigSpec {
        let f = try Fields(n, path: path, allowed: ["name", "signers", "threshold", "expiry", "balance_sol"])
        let name = try f.need("name", "a unique name", Decode.name)
        if walletNames.contains(name) || groupNames.contains(name) {
            throw ScenarioError(f["name"]!.origin, field: f.sub("name"), "\"\(name)\" is already a wallet or an agent group")
        }
        let signerNodes = try f.need("signers", "a list of wallet names", Decode.list)
        guard !signerNodes.isEmpty, signerNodes.count <= 64 else { throw ScenarioError(f["signers"]!.origin, field: f.sub("signers"), "expected 1 to 64 wallets") }
        var signers: [AccountID] = []
        for (i, s) in signerNodes.enumerated() {
            let a = config.walletAccount(try reference(s, "\(f.sub("signers"))[\(i)]", in: walletNames, what: "wallet"))
            guard !signers.contains(a) else { throw ScenarioError(s.origin, field: "\(f.sub("signers"))[\(i)]", "names a signer twice") }
            signers.append(a)
        }
        let threshold = try f.need("threshold", "how many signers must approve (m of n)", Decode.uint(max: UInt64(signers.count), min: 1))
        let expiry = try f.get("expiry", default: config.clock.ticks(forMillis: 600_000), ticks)
        guard expiry > 0 else { throw ScenarioError(f["expiry"]!.origin, field: f.sub("expiry"), "must be longer than zero") }
        return MultisigSpec(name: name, signers: signers, threshold: UInt32(threshold), expirySlots: expiry,
                            balanceLamports: try f.get("balance_sol", default: 0, Decode.sol))
    }

    /// An `inputs:` entry: a timeline entry with the `source` it came from (websocket, api or voice).
    static func inputEntry(_ n: SNode, path: String, config: SimulationConfig, symbols: [String], walletNames: [String],
                           ticks: @escaping (SNode, String) throws(ScenarioError) -> UInt64) throws(ScenarioError) -> InputEntry {
        let e = try timelineEntry(n, path: path, config: config, symbols: symbols, walletNames: walletNames, ticks: ticks, also: ["source"])
        var source = InputReceived.Source.websocket
        if let s = n.child("source") {
            let name = try Decode.text(s, "\(path).source")
            guard let found = InputReceived.Source.allCases.first(where: { $0.name == name }) else {
                throw ScenarioError(s.origin, field: "\(path).source", "expected websocket, api or voice, found \"\(TerminalText.escaped(name))\"")
            }
            source = found
        }
        return InputEntry(tick: e.tick, source: source, command: e.command)
    }

    static func timelineEntry(_ n: SNode, path: String, config: SimulationConfig, symbols: [String], walletNames: [String],
                              ticks: @escaping (SNode, String) throws(ScenarioError) -> UInt64, also: [String] = []) throws(ScenarioError) -> TimelineEntry {
        guard case .mapping = n.kind else { throw ScenarioError(n.origin, field: path, "expected a mapping with an action, found \(describe(n))") }
        if n.child("voice") != nil {
            return try voiceEntry(n, path: path, config: config, symbols: symbols, walletNames: walletNames, ticks: ticks, also: also)
        }
        let actionNode = try n.child("action").map { node throws(ScenarioError) in try Decode.text(node, "\(path).action") }
        guard let action = actionNode, let extra = actionFields[action] else {
            let known = actionFields.keys.sorted().joined(separator: ", ")
            throw ScenarioError(n.origin, field: "\(path).action", actionNode == nil ? "missing; expected one of \(known)" : "unknown action \"\(actionNode!)\"; expected one of \(known)")
        }
        let f = try Fields(n, path: path, allowed: ["at", "action"] + extra + also)
        let at = try f.need("at", "when it happens (like 30s)", ticks)
        guard at < config.durationTicks else {
            throw ScenarioError(f["at"]!.origin, field: f.sub("at"), "is after the run ends (duration is \(config.durationTicks) slots)")
        }
        let walletRef = { () throws(ScenarioError) -> AccountID in
            config.walletAccount(try f.need("wallet", "a wallet name from wallets", { (n: SNode, p: String) throws(ScenarioError) in
                try reference(n, p, in: walletNames, what: "wallet") }))
        }
        let tokenRef = { () throws(ScenarioError) -> MintID in
            MintID(try f.need("token", "a token symbol from tokens", { (n: SNode, p: String) throws(ScenarioError) in
                try reference(n, p, in: symbols, what: "token") }))
        }
        let priority = { () throws(ScenarioError) -> UInt64 in try f.get("priority_fee", default: 100_000, Decode.uint(max: 1_000_000_000_000)) }
        let slippage = { () throws(ScenarioError) -> UInt32 in UInt32(try f.get("slippage_bps", default: 500, Decode.bps)) }
        let command: Command
        switch action {
        case "launch": command = .launch(mint: try tokenRef())
        case "buy":
            command = .buy(wallet: try walletRef(), mint: try tokenRef(), lamports: try f.need("sol", "the SOL to spend, fees included", Decode.sol),
                           slippageBps: try slippage(), priority: try priority())
        case "buy_tokens":
            command = .buyTokens(wallet: try walletRef(), mint: try tokenRef(), tokens: try f.need("tokens", "the tokens to buy", Decode.tokens),
                                 maxSolCostLamports: try f.need("max_sol", "the most SOL to pay, fees included", Decode.sol), priority: try priority())
        case "sell":
            let w = try walletRef(), m = try tokenRef()
            if let t = f["tokens"] {
                guard f["share_bps"] == nil else { throw ScenarioError(t.origin, field: f.sub("tokens"), "give tokens or share_bps, not both") }
                command = .sell(wallet: w, mint: m, tokens: try Decode.tokens(t, f.sub("tokens")), slippageBps: try slippage(), priority: try priority())
            } else {
                command = .sellShare(wallet: w, mint: m, shareBps: UInt32(try f.need("share_bps", "tokens, or the share of the holding in bps", Decode.bps)),
                                     slippageBps: try slippage(), priority: try priority())
            }
        case "claim": command = .claim(wallet: try walletRef(), priority: try priority())
        case "bundled_buy":
            let tip = try f.get("tip_sol", default: Bundles.minTipLamports, Decode.sol)
            guard tip >= Bundles.minTipLamports else { throw ScenarioError(f["tip_sol"]!.origin, field: f.sub("tip_sol"), "a bundle tip is at least 0.000001 SOL (1 000 lamports)") }
            command = .bundledBuy(wallet: try walletRef(), mint: try tokenRef(), lamports: try f.need("sol", "the SOL to spend, fees included", Decode.sol),
                                  slippageBps: try slippage(), priority: try priority(), tipLamports: tip)
        case "propose", "approve":
            let names = config.multisigs.map(\.name)
            let g = try f.need("multisig", "a multisig name from multisigs", { (n: SNode, p: String) throws(ScenarioError) in
                try reference(n, p, in: names, what: "multisig") })
            let w = try walletRef()
            if action == "approve" {
                command = .approve(multisig: UInt32(g), proposal: UInt32(try f.need("proposal", "the proposal's number within the multisig (0 for its first)", Decode.uint(max: 1_000_000))), signer: w)
            } else if let l = f["launch"] {
                guard f["withdraw"] == nil else { throw ScenarioError(l.origin, field: f.sub("launch"), "give launch or withdraw, not both") }
                let m = try reference(l, f.sub("launch"), in: symbols, what: "token")
                guard config.tokens[m].creator == config.multisigVaultAccount(g) else {
                    throw ScenarioError(l.origin, field: f.sub("launch"), "\(symbols[m])'s creator is not the multisig \(names[g])")
                }
                command = .propose(multisig: UInt32(g), proposer: w, action: .launch(mint: MintID(m)))
            } else if let wd = f["withdraw"] {
                let h = try Fields(wd, path: f.sub("withdraw"), allowed: ["to", "sol"])
                let to = config.walletAccount(try h.need("to", "a wallet name from wallets", { (n: SNode, p: String) throws(ScenarioError) in
                    try reference(n, p, in: walletNames, what: "wallet") }))
                command = .propose(multisig: UInt32(g), proposer: w, action: .withdraw(to: to, lamports: try h.need("sol", "the SOL to pay out of the treasury", Decode.sol)))
            } else {
                throw ScenarioError(n.origin, field: path, "a proposal needs launch: SYMBOL or withdraw: {to, sol}")
            }
        case "chat": command = .chat(wallet: try walletRef(), mint: try tokenRef(), bytes: UInt32(try f.get("bytes", default: 64, Decode.uint(max: 4_096))))
        case "open_environment":
            command = .openEnvironment(mint: try tokenRef(), playLamports: try f.get("play_balance_sol", default: 100_000_000_000, Decode.sol))
        case "join_environment": command = .joinEnvironment(mint: try tokenRef(), wallet: try walletRef())
        case "virtual_buy": command = .virtualBuy(mint: try tokenRef(), wallet: try walletRef(), lamports: try f.need("sol", "play SOL to spend", Decode.sol))
        case "airdrop":
            let w = try walletRef(), m = try tokenRef()
            let pools = config.recipientPools.map(\.name)
            let p = try f.need("recipients", "a recipient pool name from recipients", { (n: SNode, path: String) throws(ScenarioError) in
                try reference(n, path, in: pools, what: "recipient pool") })
            let size = UInt64(config.recipientPools[p].count)
            let from = try f.get("from", default: 0, Decode.uint(max: size - 1))
            let count = try f.get("count", default: size - from, Decode.uint(max: size - from, min: 1))
            let mode = try f.get("mode", default: "compressed", Decode.text)
            guard mode == "compressed" || mode == "standard" else {
                throw ScenarioError(f["mode"]!.origin, field: f.sub("mode"), "expected compressed or standard, found \"\(mode)\"")
            }
            // As many recipients as one transaction carries (its wire size, the lock and Light
            // limits, the compute limit) unless the scenario asks for fewer.
            let most = WireFormat.maxAirdropRecipients(compressed: mode == "compressed", costs: config.chain.computeUnits)
            let perTx = try f.get("per_tx", default: UInt64(most), Decode.uint(max: 1_000, min: 1))
            if perTx > UInt64(most) {
                let over = WireFormat.shape(of: mode == "compressed" ? .compressedAirdrop(mint: 0, firstRecipient: 0, count: UInt32(most + 1), amount: 1)
                                                                  : .airdrop(mint: 0, firstRecipient: 0, count: UInt32(most + 1), amount: 1))
                throw ScenarioError(f["per_tx"]!.origin, field: f.sub("per_tx"),
                                    "a \(mode) airdrop transaction holds at most \(most) recipients (\(most + 1) would be \(over.problem ?? "over the compute limit")); leave per_tx out for the most")
            }
            command = .airdrop(wallet: w, mint: m, firstRecipient: config.poolFirstAccount(p) + UInt32(from), count: UInt32(count),
                               amount: try f.need("amount", "the tokens each recipient gets", Decode.tokens),
                               compressed: mode == "compressed", perTx: UInt32(perTx), priority: try priority())
        case "compressed_transfer":
            let w = try walletRef(), m = try tokenRef()
            let to = config.walletAccount(try f.need("to", "a wallet name from wallets", { (n: SNode, p: String) throws(ScenarioError) in
                try reference(n, p, in: walletNames, what: "wallet") }))
            command = .compressedTransfer(wallet: w, mint: m, to: to, amount: try f.need("tokens", "the tokens to send", Decode.tokens), priority: try priority())
        case "compress":
            command = .compress(wallet: try walletRef(), mint: try tokenRef(), amount: try f.need("tokens", "the tokens to compress", Decode.tokens), priority: try priority())
        case "decompress":
            command = .decompress(wallet: try walletRef(), mint: try tokenRef(), amount: try f.need("tokens", "the tokens to decompress", Decode.tokens), priority: try priority())
        default:
            command = .virtualSell(mint: try tokenRef(), wallet: try walletRef(),
                                   shareBps: UInt32(try f.need("share_bps", "the share of the play holding in bps", Decode.bps)))
        }
        return TimelineEntry(tick: at, command: command)
    }
}

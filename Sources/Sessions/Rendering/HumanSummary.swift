import SimCore
import Engine

/// A run's outcome as text for people: what `pumpsim run` prints.
public enum HumanSummary {
    public static func render(_ o: RunOutcome, wallSeconds: Double) -> String {
        var out = ["PumpSim run: \(o.scenario), seed \(o.seed), \(o.durationSlots) slots (\(Format.duration(o.durationMillis)) simulated), \(o.agents) agents",
                   "", "TOKENS"]
        for t in o.tokens { out += token(t) }
        out += chain(o.chain)
        if let c = o.compression { out += compression(c) }
        out += rewards(o.rewards)
        if !o.environments.isEmpty {
            out += ["", "VIRTUAL ENVIRONMENTS"]
            for e in o.environments {
                out.append("  #\(e.id) \(e.token): \(Format.group(e.participants)) participants, \(Format.group(e.trades)) trades, price \(Format.price(e.finalPriceNanos)) lamports/token, play SOL in curve \(Format.sol(e.playLamportsInCurve))")
                if e.pricePath.count > 1 { out.append("      price path \(Format.sparkline(e.pricePath.map { $0[1] }))") }
            }
        }
        out += ["", "LIMITS",
                "  rate limited \(Format.group(o.rateLimited)), account too new \(Format.group(o.accountTooNew)), chat messages \(Format.group(o.chatMessages))",
                "", "digest \(o.digest)  (\(o.checkpoints.count) checkpoints)"]
        let rate = wallSeconds > 0 ? UInt64(Double(o.events) / wallSeconds) : 0
        out.append("\(Format.group(o.events)) events in \(Format.seconds(wallSeconds)) s = \(Format.group(rate)) events/s")
        return out.joined(separator: "\n")
    }

    static func token(_ t: TokenOutcome) -> [String] {
        var head = "  \(t.symbol)  \(t.curveFamily)/\(t.feeProfile)"
        if let reason = t.launchRejected { head += "  launch rejected: \(reason)" }
        if let open = t.openTick { head += "  launched at tick \(open)" } else if t.launchRejected == nil { head += "  not launched" }
        if let done = t.graduationTick, let ms = t.graduationMillis {
            head += "  graduated at tick \(done), \(Format.duration(ms)) after launch"
        } else if t.openTick != nil {
            head += "  not graduated"
        }
        guard t.openTick != nil else { return [head] }
        var trades = "      trades: \(Format.group(t.buys + t.sells)) executed (\(Format.group(t.buys)) buys, \(Format.group(t.sells)) sells), \(Format.group(t.rejectedTotal)) rejected"
        if !t.rejected.isEmpty { trades += ": " + t.rejected.map { "\($0.label) \(Format.group($0.count))" }.joined(separator: ", ") }
        let migration = t.migrationFeeLamports > 0 ? " (incl. migration \(Format.sol(t.migrationFeeLamports)))" : ""
        var lines = [
            head,
            "      price \(Format.price(t.startPriceNanos)) → \(Format.price(t.finalPriceNanos)) lamports/token (peak \(Format.price(t.peakPriceNanos))), raised \(Format.sol(t.solRaisedLamports)) SOL, volume \(Format.sol(t.volumeLamports)) SOL",
            "      fees: protocol \(Format.sol(t.protocolFeesLamports)) SOL\(migration), creator \(Format.sol(t.creatorFeesLamports)) SOL",
            trades,
            "      holders \(Format.group(t.holders)), top-10 share \(Format.percent(t.top10ShareBps))",
        ]
        if t.pricePath.count > 1 { lines.append("      price path \(Format.sparkline(t.pricePath.map { $0[1] }))") }
        return lines
    }

    static func chain(_ c: ChainOutcome) -> [String] {
        ["", "CHAIN",
         "  \(Format.group(c.slots)) slots; transactions \(Format.group(c.submitted)) submitted, \(Format.group(c.landed)) landed, \(Format.group(c.failed)) failed, \(Format.group(c.expired)) expired, \(Format.group(c.dropped)) dropped",
         "  fees \(Format.sol(c.feesLamports)) SOL; congested slots \(Format.group(c.congestedSlots)); max pending \(Format.group(c.maxPending)); token-account rent locked \(Format.sol(c.rentLockedLamports)) SOL"]
    }

    static func compression(_ c: CompressionOutcome) -> [String] {
        func per(_ l: UInt64, _ n: UInt64) -> String { n > 0 ? Format.group(l / n) : "-" }
        func row(_ cells: [String]) -> String {
            "  " + cells.enumerated().map { $0.offset == 0 ? Format.left($0.element, 34) : Format.right($0.element, 16) }.joined()
        }
        var out = ["", "COMPRESSION (state tree: Poseidon, depth \(c.treeDepth), buffer \(c.treeBuffer), canopy \(c.treeCanopy))",
                   row(["airdrop", "standard", "compressed"]),
                   row(["accounts", Format.group(c.standard.accounts), Format.group(c.compressed.accounts)]),
                   row(["transactions", Format.group(c.standard.transactions), Format.group(c.compressed.transactions)]),
                   row(["lamports locked (rent)", Format.group(c.standard.rentLamports), Format.group(c.compressed.rentLamports)]),
                   row(["  per account", per(c.standard.rentLamports, c.standard.accounts), per(c.compressed.rentLamports, c.compressed.accounts)]),
                   row(["fees, SOL", Format.sol(c.standard.feesLamports), Format.sol(c.compressed.feesLamports)]),
                   "  compressed rent is the state tree account's (\(Format.group(c.treeAccountBytes)) bytes in this model), shared by its 2^\(c.treeDepth) leaves",
                   "  tree: \(Format.group(c.treeLeaves)) leaves, \(Format.group(c.leavesNullified)) nullified, sequence \(Format.group(c.treeSequence)), root \(c.treeRoot)"]
        if !c.failed.isEmpty { out.append("  token instructions refused: " + c.failed.map { "\($0.label) \(Format.group($0.count))" }.joined(separator: ", ")) }
        return out
    }

    static func rewards(_ r: RewardsOutcome) -> [String] {
        ["", "REWARDS",
         "  users per tier: " + r.tiers.map { "\($0.name) \(Format.group($0.users))" }.joined(separator: ", "),
         "  points \(Format.group(r.pointsAwarded)), \(Format.group(r.tierChanges)) tier changes, accrued \(Format.sol(r.accruedLamports)) SOL, claimed \(Format.sol(r.claimedLamports)) SOL in \(Format.group(r.claims)) claims"]
    }
}

import Foundation
import SimCore
import Ledger
import Engine

/// The text form of a run summary, for people.
enum HumanSummary {
    static func render(_ r: RunResult, wallSeconds: Double) -> String {
        let c = r.config
        let m = r.metrics
        var out: [String] = []
        out.append("PumpSim run: \(c.name), seed \(c.seed), \(c.durationTicks) slots (\(duration(c.durationTicks * c.clock.slotMillis)) simulated), \(c.agentCount) agents")
        out.append("")
        out.append("TOKENS")
        for (i, spec) in c.tokens.enumerated() {
            let tm = m.tokens[i]
            let mint = r.world.chain.mints[i]
            var head = "  \(spec.symbol)  \(spec.curve.familyName)/\(spec.curve.feeProfile.name)"
            if let reason = tm.launchRejected { head += "  launch rejected: \(reason)" }
            if let open = tm.openTick { head += "  launched at tick \(open)" } else if tm.launchRejected == nil { head += "  not launched" }
            if let done = tm.completeTick { head += "  graduated at tick \(done) (\(duration(done * c.clock.slotMillis)))" } else if tm.openTick != nil { head += "  not graduated" }
            out.append(head)
            guard tm.openTick != nil else { continue }
            let raised = mint.status == .migrated ? (tm.raisedAtCompletionLamports ?? mint.curve.state.realSol) : mint.curve.state.realSol
            out.append("      price \(price(tm.pricePath.first?.1 ?? 0)) → \(price(mint.curve.spotPriceNanos)) lamports/token (peak \(price(max(tm.peakPriceNanos, mint.curve.spotPriceNanos)))), raised \(sol(raised)) SOL, volume \(sol(tm.volumeLamports)) SOL")
            out.append("      fees: protocol \(sol(tm.protocolFeesLamports)) SOL, creator \(sol(tm.creatorFeesLamports)) SOL")
            var trades = "      trades: \(group(tm.buys + tm.sells)) executed (\(group(tm.buys)) buys, \(group(tm.sells)) sells), \(group(tm.rejectedTotal)) rejected"
            let reasons = RejectReason.allCases.filter { tm.rejected[Int($0.rawValue)] > 0 }
                .map { "\($0) \(group(tm.rejected[Int($0.rawValue)]))" }
            if !reasons.isEmpty { trades += ": " + reasons.joined(separator: ", ") }
            out.append(trades)
            let top10 = RunSummary.top10ShareBps(r.world.chain, mint: MintID(i))
            out.append("      holders \(group(UInt64(mint.holders))), top-10 share \(percent(top10))")
            if tm.pricePath.count > 1 { out.append("      price path \(sparkline(tm.pricePath.map(\.1)))") }
        }
        let ch = m.chain
        out.append("")
        out.append("CHAIN")
        out.append("  \(group(ch.slots)) slots; transactions \(group(ch.submitted)) submitted, \(group(ch.landed)) landed, \(group(ch.failed)) failed, \(group(ch.expired)) expired, \(group(ch.dropped)) dropped")
        out.append("  fees \(sol(ch.feesLamports)) SOL; congested slots \(group(ch.congestedSlots)); max pending \(group(ch.maxPending)); token-account rent locked \(sol(r.world.chain.rentLockedLamports)) SOL")
        if m.compression.active || r.world.chain.compressed.touched {
            let cm = m.compression, cfg = c.chain.stateTree, tree = r.world.chain.compressed.tree
            let treeRent = StateTreeConfig.rentExempt(bytes: cfg.accountBytes)
            func per(_ l: UInt64, _ n: UInt64) -> String { n > 0 ? group(l / n) : "-" }
            func row(_ cells: [String]) -> String {
                "  " + cells.enumerated().map { $0.offset == 0 ? $0.element.padding(toLength: 34, withPad: " ", startingAt: 0)
                                                               : String(repeating: " ", count: max(0, 16 - $0.element.count)) + $0.element }.joined()
            }
            out.append("")
            out.append("COMPRESSION (state tree: Poseidon, depth \(cfg.depth), buffer \(cfg.bufferSize), canopy \(cfg.canopyDepth))")
            out.append(row(["airdrop", "standard", "compressed"]))
            out.append(row(["accounts", group(cm.standardRecipients), group(cm.compressedRecipients)]))
            out.append(row(["transactions", group(cm.standardTransactions), group(cm.compressedAirdropTransactions)]))
            out.append(row(["lamports locked (rent)", group(cm.standardRentLamports), group(treeRent)]))
            out.append(row(["  per account", per(cm.standardRentLamports, cm.standardRecipients), per(treeRent, cm.compressedRecipients)]))
            out.append(row(["fees, SOL", sol(cm.standardFeesLamports), sol(cm.compressedFeesLamports)]))
            out.append("  compressed rent is the state tree account's (\(group(cfg.accountBytes)) bytes in this model), shared by its 2^\(cfg.depth) leaves")
            out.append("  tree: \(group(UInt64(tree.nextIndex))) leaves, \(group(cm.leavesNullified)) nullified, sequence \(group(tree.sequenceNumber)), root \(tree.root)")
            let failed = RejectReason.allCases.filter { cm.failed[Int($0.rawValue)] > 0 }.map { "\($0) \(group(cm.failed[Int($0.rawValue)]))" }
            if !failed.isEmpty { out.append("  token instructions refused: " + failed.joined(separator: ", ")) }
        }
        out.append("")
        out.append("REWARDS")
        let users = r.world.rewards.usersPerTier(population: r.world.chain.accountCount)
        let tiers = c.rewards.tiers.enumerated().map { "\($0.element.name) \(group(UInt64(users[$0.offset])))" }.joined(separator: ", ")
        out.append("  users per tier: \(tiers)")
        out.append("  points \(group(m.pointsAwarded)), \(group(m.tierChanges)) tier changes, accrued \(sol(m.accruedLamports)) SOL, claimed \(sol(m.claimedLamports)) SOL in \(group(m.claims)) claims")
        if !r.world.environments.isEmpty {
            out.append("")
            out.append("VIRTUAL ENVIRONMENTS")
            for (i, env) in r.world.environments.enumerated() {
                out.append("  #\(env.id) \(c.tokens[Int(env.mint)].symbol): \(group(UInt64(env.participants.count))) participants, \(group(env.trades)) trades, price \(price(env.curve.spotPriceNanos)) lamports/token, play SOL in curve \(sol(env.curve.state.realSol))")
                let path = m.environmentPricePaths[i].map(\.1)
                if path.count > 1 { out.append("      price path \(sparkline(path))") }
            }
        }
        out.append("")
        out.append("LIMITS")
        out.append("  rate limited \(group(m.platformRejected[Int(RejectReason.rateLimited.rawValue)])), account too new \(group(m.platformRejected[Int(RejectReason.accountTooNew.rawValue)])), chat messages \(group(m.chats))")
        out.append("")
        out.append("digest \(r.finalDigest.hex)  (\(r.checkpoints.count) checkpoints)")
        let rate = wallSeconds > 0 ? UInt64(Double(r.eventCount) / wallSeconds) : 0
        out.append(String(format: "%@ events in %.3f s = %@ events/s", group(r.eventCount), wallSeconds, group(rate)))
        return out.joined(separator: "\n")
    }

    static func price(_ nanos: UInt64) -> String { FixedDecimal.format(UInt128(nanos / 10_000_000 * 10_000_000), scale: 9) }
    /// SOL with at most six decimals (truncated to micro-SOL).
    static func sol(_ lamports: UInt64) -> String { FixedDecimal.format(UInt128(lamports / 1_000 * 1_000), scale: 9) }
    static func percent(_ bps: UInt64) -> String { FixedDecimal.format(UInt128(bps), scale: 2) + "%" }

    static func group(_ v: UInt64) -> String {
        let s = String(v)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return out
    }

    static func duration(_ millis: UInt64) -> String {
        let s = millis / 1000
        let ms = millis % 1000
        let frac = ms == 0 ? "" : "." + String(format: "%03llu", ms).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02llu", (s % 3600) / 60))m\(String(format: "%02llu", s % 60))\(frac)s" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02llu", s % 60))\(frac)s" }
        return "\(s)\(frac)s"
    }

    /// A sparkline of at most 60 columns (the maximum of each bucket).
    static func sparkline(_ values: [UInt64]) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        let width = min(values.count, 60)
        var buckets: [UInt64] = []
        for b in 0..<width {
            let lo = b * values.count / width, hi = max(lo + 1, (b + 1) * values.count / width)
            buckets.append(values[lo..<hi].max()!)
        }
        let lo = buckets.min()!, hi = buckets.max()!
        guard hi > lo else { return String(repeating: bars[0], count: buckets.count) }
        return String(buckets.map { bars[Int((UInt128($0 - lo) * 7) / UInt128(hi - lo))] })
    }
}

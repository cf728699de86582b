import SimCore
import Engine

/// The headline figures stored with a run in the catalog (`run_metrics`), named by their path
/// in `run --json` (`tokens.TEST.sol_raised`).
public enum CatalogMetrics {
    public static func render(_ o: RunOutcome, wallSeconds: Double) -> [(String, Double)] {
        func sol(_ l: UInt64) -> Double { Double(l) / 1e9 }
        var m: [(String, Double)] = [
            ("events", Double(o.events)),
            ("events_per_second", wallSeconds > 0 ? Double(o.events) / wallSeconds : 0),
            ("chain.transactions_landed", Double(o.chain.landed)),
            ("chain.transactions_expired", Double(o.chain.expired)),
            ("chain.congested_slots", Double(o.chain.congestedSlots)),
            ("chain.fees_sol", sol(o.chain.feesLamports)),
            ("rewards.points_awarded", Double(o.rewards.pointsAwarded)),
        ]
        for t in o.tokens {
            let p = "tokens.\(t.symbol)"
            m.append(("\(p).trades_executed", Double(t.buys + t.sells)))
            m.append(("\(p).rejected", Double(t.rejectedTotal)))
            m.append(("\(p).sol_raised", sol(t.solRaisedLamports)))
            m.append(("\(p).protocol_fees_sol", sol(t.protocolFeesLamports)))
            if let g = t.graduationTick { m.append(("\(p).graduation_tick", Double(g))) }
            if let s = t.graduationSeconds { m.append(("\(p).graduation_seconds", s)) }
        }
        return m
    }
}

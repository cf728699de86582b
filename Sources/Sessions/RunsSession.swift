import SimCore
import Store

/// `pumpsim runs`: the catalog browsed, read-only.
public enum RunsSession {
    public static func list(catalog path: String, scenario: String?, limit: Int) throws(PumpSimError) -> [RunCatalog.Run] {
        guard (1...1_000_000).contains(limit) else { throw .badInput("--limit must be between 1 and 1000000 (found \(limit))") }
        let catalog = try Catalogs.forReading(path)
        return try Catalogs.call { try catalog.runs(scenario: scenario, limit: limit) }
    }

    public static func table(_ runs: [RunCatalog.Run]) -> String {
        var lines = ["id     started                    scenario              seed        outcome  events     digest"]
        for r in runs {
            lines.append([Format.left(String(r.id), 6), Format.left(r.startedAt, 26), Format.left(r.scenarioName, 21), Format.left(String(r.seed), 11),
                          Format.left(r.status, 8), Format.left(String(r.events ?? 0), 10), String((r.finalDigest ?? "-").prefix(16))].joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    /// One run with its metrics and checkpoints, as JSON.
    public static func show(catalog path: String, id: Int64) throws(PumpSimError) -> JSON {
        let catalog = try Catalogs.forReading(path)
        guard let (run, metrics, checkpoints) = try Catalogs.call({ try catalog.run(id: id) }) else { throw .badInput("no run \(id) in \(path)") }
        return .object([
            ("run", run.json),
            ("metrics", .object(metrics.map { ($0.0, .number(String($0.1))) })),
            ("checkpoints", .array(checkpoints.map { .object([("tick", .uint($0.tick)), ("event_index", .uint($0.eventIndex)), ("digest", .string($0.digest))]) })),
        ])
    }
}

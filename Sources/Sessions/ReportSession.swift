import Foundation
import SimCore
import Engine
import Store
import Reports
import Trace

/// `pumpsim report`: which run, sweep or trace a target names, and its report.
public enum ReportSession {
    /// What a report target names.
    public enum Target: Sendable, Equatable {
        case run(catalog: String, id: Int64?)
        case sweep(catalog: String, id: Int64)
        /// The newest run or sweep of a catalog, whichever is newer.
        case latest(catalog: String)
        case trace(String)
    }

    /// `run:ID`, `sweep:ID`, a bare run id (in `catalog`), a catalog file, or a trace file.
    public static func resolve(_ text: String, catalog: String) throws(PumpSimError) -> Target {
        if text.hasPrefix("run:") || text.hasPrefix("sweep:") {
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let id = Int64(parts[1]), id >= 0 else { throw .badInput("\(text): expected run:ID or sweep:ID with a number") }
            return parts[0] == "run" ? .run(catalog: catalog, id: id) : .sweep(catalog: catalog, id: id)
        }
        if let id = Int64(text) { return .run(catalog: catalog, id: id) }
        guard FileManager.default.fileExists(atPath: text) else { throw .badInput("\(text): no such catalog or trace file") }
        return isSQLite(text) ? .latest(catalog: text) : .trace(text)
    }

    /// An SQLite database file (by its header), as opposed to a trace.
    static func isSQLite(_ path: String) -> Bool {
        guard let f = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? f.close() }
        return (try? f.read(upToCount: 16)) == Data("SQLite format 3\0".utf8)
    }

    /// Options of a sweep's report.
    public struct SweepOptions: Sendable {
        public var metric: String?
        public var x: String?
        public var y: String?
        /// `--maximize` / `--minimize`: the best point or the Pareto front, with confidence intervals.
        public var objectives: [SweepAnalysis.Objective] = []
        public init(metric: String? = nil, x: String? = nil, y: String? = nil) { self.metric = metric; self.x = x; self.y = y }
    }

    /// The report and the file stem it is written under; notes for stderr.
    public static func make(_ target: Target, sweep options: SweepOptions = SweepOptions(),
                            allowTruncated: Bool = false) throws(PumpSimError) -> (report: Report, stem: String, notes: [String]) {
        switch target {
        case .trace(let path): return try traceReport(path, allowTruncated: allowTruncated)
        case .latest(let path):
            let catalog = try Catalogs.forReading(path)
            let latest = try Catalogs.call { try catalog.latest() }
            switch (latest.run, latest.sweep) {
            case (nil, nil): throw .badInput("\(path) holds no finished run and no sweep")
            case (let r?, nil): return try runReport(catalog, id: r.0)
            case (nil, let s?): return try sweepReport(catalog, id: s.0, options)
            case (let r?, let s?): return s.1 >= r.1 ? try sweepReport(catalog, id: s.0, options) : try runReport(catalog, id: r.0)
            }
        case .run(let path, let id): return try runReport(try Catalogs.forReading(path), id: id ?? 0)
        case .sweep(let path, let id): return try sweepReport(try Catalogs.forReading(path), id: id, options)
        }
    }

    static func runReport(_ catalog: RunCatalog, id: Int64) throws(PumpSimError) -> (report: Report, stem: String, notes: [String]) {
        let path = catalog.db.path
        guard let (run, _, _) = try Catalogs.call({ try catalog.run(id: id) }) else { throw .badInput("no run \(id) in \(path)") }
        guard let text = try Catalogs.call({ try catalog.outcomeJSON(run: id) }) else {
            throw .badInput("run \(id) in \(path) has no outcomes (it \(run.status == "ok" ? "was recorded by an older pumpsim" : "did not finish: \(run.status)"))")
        }
        let outcome: RunOutcome
        do { outcome = try OutcomeCodec.decode(text) } catch { throw .badInput("run \(id) in \(path): unreadable outcomes (\(error))") }
        let report = RunReport.make(title: "Run \(run.id): \(run.scenarioName), seed \(run.seed)", facts: [
            ("scenario", run.scenarioPath), ("scenario digest", run.scenarioDigest), ("seed", "\(run.seed)"),
            ("engine", run.engineVersion), ("started", run.startedAt), ("overrides", run.overrides),
            ("events", run.events.map { "\($0)" } ?? "–"), ("final digest", run.finalDigest ?? "–"),
        ], outcome: outcome)
        return (report, "report-run-\(id)", [])
    }

    static func sweepReport(_ catalog: RunCatalog, id: Int64, _ o: SweepOptions) throws(PumpSimError) -> (report: Report, stem: String, notes: [String]) {
        let path = catalog.db.path
        guard let sweep = try Catalogs.call({ try catalog.sweep(id: id) }) else { throw .badInput("no sweep \(id) in \(path)") }
        let points = try Catalogs.call { try catalog.points(sweep: id) }
        let rows = points.map(SweepReport.row)
        if let metric = o.metric, let first = rows.first, !first.metrics.contains(where: { $0.0 == metric }) {
            let names = first.metrics.map(\.0)
            let run = names.filter { !$0.contains(".") }
            let tokens = Set(names.filter { $0.hasPrefix("tokens.") }.map { $0.split(separator: ".")[1] }).sorted()
            let groups = Set(names.filter { $0.hasPrefix("groups.") }.map { $0.split(separator: ".")[1] }).sorted()
            var known = "the rows have \(run.joined(separator: ", "))"
            if !tokens.isEmpty { known += "; per token tokens.SYMBOL.NAME (SYMBOL: \(tokens.joined(separator: ", ")); NAME: \(TokenOutcome.metricNames.joined(separator: ", ")))" }
            if !groups.isEmpty { known += "; per group groups.GROUP.NAME (GROUP: \(groups.joined(separator: ", ")); NAME: \(GroupMetrics.metricNames.joined(separator: ", ")))" }
            throw .badInput("no metric \(metric); \(known)")
        }
        for p in [o.x, o.y].compactMap({ $0 }) where !(rows.first?.params.contains { $0.0 == p } ?? true) {
            throw .badInput("no parameter \(p); the sweep varies \(rows.first?.params.map(\.0).joined(separator: ", ") ?? "nothing")")
        }
        var section: SweepReport.Section?
        if !o.objectives.isEmpty {
            let names = Set(rows.first?.metrics.map(\.0) ?? [])
            for ob in o.objectives where !names.contains(ob.metric) { throw .badInput("--\(ob.direction.rawValue) \(ob.metric): no such metric in sweep \(id)") }
            let collected = SweepSession.Collected(keep: true)
            for p in points { collected.add(p) }
            // Successive halving: only the last rung's points (those with the most seeds) are candidates.
            var candidates: Set<Int>?
            if sweep.spec.contains("\"halving\"") {
                var seedsPer: [Int: Int] = [:]
                for p in points { seedsPer[Int(p.point), default: 0] += 1 }
                let most = seedsPer.values.max() ?? 0
                candidates = Set(seedsPer.filter { $0.value == most }.keys)
            }
            var analysis = SweepAnalysis.analyse(rows: collected.rows, objectives: o.objectives, candidates: candidates)
            if candidates != nil { analysis.notes = ["successive halving: the best point is chosen among the \(candidates!.count) points of the last rung"] }
            section = SweepAnalysis.section(analysis)
        }
        let report = SweepReport.make(title: "Sweep \(sweep.id): \(sweep.scenarioName)", facts: [
            ("scenario", sweep.scenarioPath), ("scenario digest", sweep.scenarioDigest), ("engine", sweep.engineVersion),
            ("created", sweep.createdAt), ("grid", SweepSpec.describe(json: sweep.spec)), ("overrides", sweep.overrides),
            ("status", sweep.status + (sweep.finishedAt.map { ", finished \($0)" } ?? "")), ("shard", sweep.shard),
            ("rows", "\(points.count) of \(sweep.totalPoints)"),
        ], rows: rows, metric: o.metric, x: o.x, y: o.y, objectives: section)
        return (report, "report-sweep-\(id)", [])
    }

    /// A run's report from its trace: the events replayed into the outcomes.
    static func traceReport(_ path: String, allowTruncated: Bool) throws(PumpSimError) -> (report: Report, stem: String, notes: [String]) {
        let reader = try Traces.open(path)
        let scenario = try Traces.scenario(of: reader)
        let result = try Traces.read { try TraceOutcomes.run(reader, config: scenario.config) }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var facts: [(String, String)] = [
            ("trace", path), ("scenario digest", reader.header.scenarioDigest.hex), ("seed", "\(scenario.seed)"),
            ("engine", reader.header.engineVersion), ("events", "\(result.eventCount)"), ("final digest", result.finalDigest.hex),
        ]
        var notes: [String] = []
        if let t = reader.truncation {
            if !allowTruncated, let e = Traces.truncated(reader) { throw e }
            facts.append(("TRUNCATED", "\(t); the outcomes are those of the events before it, not of a finished run"))
            notes.append("note: \(path) is truncated (\(t)); the report covers the events before that")
        }
        let report = RunReport.make(title: "Trace \(name): \(scenario.name), seed \(scenario.seed)", facts: facts, outcome: RunOutcome(result))
        return (report, "report-trace-\(name)", notes)
    }
}

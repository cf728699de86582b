import SimCore

/// Sweeps in the run catalog: a `sweeps` row per sweep (or shard of one) and a `sweep_points`
/// row per finished (point, seed), each committed on its own so a killed sweep keeps what it ran
/// and the same command resumes it.
extension RunCatalog {
    public struct Sweep: Sendable, Equatable {
        public var id: Int64
        /// Identity shared by every shard of one sweep (scenario digest, grid, seeds, engine).
        public var key: String
        public var createdAt: String
        public var scenarioPath: String
        public var scenarioName: String
        public var scenarioDigest: String
        public var engineVersion: String
        /// The sweep's definition as JSON (grid, random, seeds).
        public var spec: String
        /// Rows of the whole sweep, all shards.
        public var totalPoints: Int64
        /// `i/n`, `all`, or `merged`.
        public var shard: String
        /// The `--set` overrides every row ran with, as a JSON array.
        public var overrides: String
        /// `running`, `complete`, `failed`, `partial` (a merge short of rows), or `unknown`
        /// (recorded by an older pumpsim).
        public var status: String
        public var finishedAt: String?
        public init(id: Int64 = 0, key: String, createdAt: String, scenarioPath: String, scenarioName: String, scenarioDigest: String,
                    engineVersion: String, spec: String, totalPoints: Int64, shard: String, overrides: String = "[]",
                    status: String = "running", finishedAt: String? = nil) {
            self.id = id; self.key = key; self.createdAt = createdAt; self.scenarioPath = scenarioPath; self.scenarioName = scenarioName
            self.scenarioDigest = scenarioDigest; self.engineVersion = engineVersion; self.spec = spec; self.totalPoints = totalPoints; self.shard = shard
            self.overrides = overrides; self.status = status; self.finishedAt = finishedAt
        }
    }

    /// One finished run of a sweep.
    public struct SweepPoint: Sendable, Equatable {
        /// Row index in grid order (point-major, seeds inner).
        public var index: Int64
        public var point: Int64
        public var seed: UInt64
        /// JSON object of the parameter values.
        public var params: String
        /// JSON object of the run-level metrics.
        public var metrics: String
        /// JSON of the per-token outcomes ("" where not loaded).
        public var outcome: String
        public var digest: String
        public var events: Int64
        public var wallSeconds: Double
        public init(index: Int64, point: Int64, seed: UInt64, params: String, metrics: String, outcome: String, digest: String, events: Int64, wallSeconds: Double) {
            self.index = index; self.point = point; self.seed = seed; self.params = params; self.metrics = metrics
            self.outcome = outcome; self.digest = digest; self.events = events; self.wallSeconds = wallSeconds
        }
        /// The same result (wall time aside). The outcomes' JSON is not compared byte for byte: the
        /// final digest and event count already pin the run, and another platform's JSON encoder
        /// may spell the same doubles differently.
        public func sameResult(as o: SweepPoint) -> Bool {
            index == o.index && point == o.point && seed == o.seed && params == o.params && metrics == o.metrics
                && digest == o.digest && events == o.events
        }
    }

    public func createSweep(_ s: Sweep) throws(SQLiteError) -> Int64 {
        try db.query("""
            INSERT INTO sweeps (key, created_at, scenario_path, scenario_name, scenario_digest, engine_version, spec, total_points, shard,
                                overrides, status, finished_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(s.key), .text(s.createdAt), .text(s.scenarioPath), .text(s.scenarioName), .text(s.scenarioDigest),
                  .text(s.engineVersion), .text(s.spec), .int(s.totalPoints), .text(s.shard), .text(s.overrides), .text(s.status),
                  s.finishedAt.map { .text($0) } ?? .null])
        return db.lastInsertRowID
    }

    /// Marks how a sweep (or this shard of it) ended.
    public func setSweepStatus(_ id: Int64, status: String, finishedAt: String?) throws(SQLiteError) {
        try db.query("UPDATE sweeps SET status = ?, finished_at = ? WHERE id = ?", [.text(status), finishedAt.map { .text($0) } ?? .null, .int(id)])
    }

    public func addPoint(_ p: SweepPoint, sweep id: Int64) throws(SQLiteError) {
        try db.query("""
            INSERT INTO sweep_points (sweep_id, idx, point, seed, params, metrics, outcome, digest, events, wall_seconds)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.int(id), .int(p.index), .int(p.point), .int(Int64(bitPattern: p.seed)), .text(p.params), .text(p.metrics),
                  .text(p.outcome), .text(p.digest), .int(p.events), .real(p.wallSeconds)])
    }

    static let sweepColumns = "id, key, created_at, scenario_path, scenario_name, scenario_digest, engine_version, spec, total_points, shard, overrides, status, finished_at"

    static func sweep(_ r: [SQLValue]) -> Sweep {
        Sweep(id: r[0].int ?? 0, key: r[1].text ?? "", createdAt: r[2].text ?? "", scenarioPath: r[3].text ?? "", scenarioName: r[4].text ?? "",
              scenarioDigest: r[5].text ?? "", engineVersion: r[6].text ?? "", spec: r[7].text ?? "{}", totalPoints: r[8].int ?? 0, shard: r[9].text ?? "",
              overrides: r[10].text ?? "[]", status: r[11].text ?? "unknown", finishedAt: r[12].text)
    }

    /// Sweeps, newest first.
    public func sweeps(limit: Int = 100) throws(SQLiteError) -> [Sweep] {
        try db.query("SELECT \(Self.sweepColumns) FROM sweeps ORDER BY id DESC LIMIT ?", [.int(Int64(limit))]).map(Self.sweep)
    }

    public func sweep(id: Int64) throws(SQLiteError) -> Sweep? {
        try db.query("SELECT \(Self.sweepColumns) FROM sweeps WHERE id = ?", [.int(id)]).first.map(Self.sweep)
    }

    /// The newest sweep with this identity and shard (what a rerun of the same command resumes).
    public func sweep(key: String, shard: String) throws(SQLiteError) -> Sweep? {
        try db.query("SELECT \(Self.sweepColumns) FROM sweeps WHERE key = ? AND shard = ? ORDER BY id DESC LIMIT 1",
                     [.text(key), .text(shard)]).first.map(Self.sweep)
    }

    /// A sweep's points in grid order; with `outcomes: false` the per-token outcomes are left out
    /// (`outcome` is "").
    public func points(sweep id: Int64, outcomes: Bool = true) throws(SQLiteError) -> [SweepPoint] {
        try db.query("""
            SELECT idx, point, seed, params, metrics, \(outcomes ? "outcome" : "''"), digest, events, wall_seconds FROM sweep_points
            WHERE sweep_id = ? ORDER BY idx
            """, [.int(id)]).map {
            SweepPoint(index: $0[0].int ?? 0, point: $0[1].int ?? 0, seed: UInt64(bitPattern: $0[2].int ?? 0), params: $0[3].text ?? "{}",
                       metrics: $0[4].text ?? "{}", outcome: $0[5].text ?? "", digest: $0[6].text ?? "", events: $0[7].int ?? 0,
                       wallSeconds: $0[8].real ?? 0)
        }
    }

    public func pointCount(sweep id: Int64) throws(SQLiteError) -> Int64 {
        try db.query("SELECT COUNT(*) FROM sweep_points WHERE sweep_id = ?", [.int(id)]).first?.first?.int ?? 0
    }

    /// The newest run with outcomes to report and the newest sweep, for "report the latest".
    public func latest() throws(SQLiteError) -> (run: (Int64, String)?, sweep: (Int64, String)?) {
        let run = try db.query("""
            SELECT id, started_at FROM runs WHERE EXISTS (SELECT 1 FROM run_outcomes WHERE run_id = runs.id) ORDER BY id DESC LIMIT 1
            """).first
        let sweep = try db.query("SELECT id, created_at FROM sweeps ORDER BY id DESC LIMIT 1").first
        return (run.map { ($0[0].int ?? 0, $0[1].text ?? "") }, sweep.map { ($0[0].int ?? 0, $0[1].text ?? "") })
    }

    /// What a merge did.
    public struct MergeReport: Sendable {
        /// Per merged sweep: its id here, its key, rows present and rows expected.
        public var sweeps: [(id: Int64, key: String, points: Int64, total: Int64)] = []
        public var added: Int = 0
        public var duplicates: Int = 0
    }

    /// A row found in two shards with different results: the sweep is not deterministic, or the
    /// shards ran different engines or scenarios.
    public struct MergeConflict: Error, CustomStringConvertible {
        public var key: String
        public var index: Int64
        public var source: String
        public var description: String { "row \(index) of sweep \(key.prefix(12))… differs between the catalogs (in \(source)); not merged" }
    }

    /// Joins the sweeps of other catalogs (shards) into this one, one merged sweep per key, in
    /// one transaction. Rows already present must match exactly (wall time aside). This
    /// catalog's own shard sweeps of the same keys join too (merging into a shard's catalog), so
    /// `sources` must not include this catalog itself.
    public func merge(from sources: [(path: String, catalog: RunCatalog)], finishedAt: String? = nil) throws -> MergeReport {
        var report = MergeReport()
        try db.transaction {
            var target: [String: Int64] = [:]
            let own = try sweeps(limit: Int.max).reversed()
            for existing in own where existing.shard == "merged" { target[existing.key] = existing.id }
            var inputs: [(path: String, catalog: RunCatalog, sweep: Sweep)] = []
            for (path, source) in sources {
                for s in try source.sweeps(limit: Int.max).reversed() { inputs.append((path, source, s)) }
            }
            let keys = Set(inputs.map(\.sweep.key))
            for s in own where s.shard != "merged" && keys.contains(s.key) { inputs.append(("this catalog", self, s)) }
            for (path, source, s) in inputs {
                let id: Int64
                if let t = target[s.key] { id = t } else {
                    var fresh = s
                    fresh.shard = "merged"
                    fresh.status = "partial"
                    fresh.finishedAt = nil
                    id = try createSweep(fresh)
                    target[s.key] = id
                }
                var have: [Int64: SweepPoint] = [:]
                for p in try points(sweep: id, outcomes: false) { have[p.index] = p }
                for p in try source.points(sweep: s.id) {
                    if let old = have[p.index] {
                        guard old.sameResult(as: p) else { throw MergeConflict(key: s.key, index: p.index, source: path) }
                        report.duplicates += 1
                        continue
                    }
                    try addPoint(p, sweep: id)
                    var kept = p
                    kept.outcome = ""
                    have[p.index] = kept
                    report.added += 1
                }
            }
            for (key, id) in target.sorted(by: { $0.value < $1.value }) where keys.contains(key) {
                let n = try pointCount(sweep: id)
                let total = try sweep(id: id)?.totalPoints ?? 0
                try setSweepStatus(id, status: n == total ? "complete" : "partial", finishedAt: n == total ? finishedAt : nil)
                report.sweeps.append((id, key, n, total))
            }
        }
        return report
    }
}

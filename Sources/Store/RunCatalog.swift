import Foundation
import SimCore

/// The catalog of runs: an SQLite file in WAL mode, migrated on open.
///
/// A run is recorded twice: a `running` row when it starts (its own transaction), then its
/// outcome, metrics and checkpoints in one transaction when it ends. A run killed in between
/// leaves a consistent catalog with that run still marked `running`.
public final class RunCatalog {
    public private(set) var db: SQLiteDatabase
    /// A migrated copy of an older catalog opened read-only (removed when this closes).
    private var temporaryCopy: String?

    deinit { if let temporaryCopy { try? FileManager.default.removeItem(atPath: temporaryCopy) } }

    /// The default path, relative to the working directory.
    public static let defaultPath = ".pumpsim/catalog.sqlite"

    /// Schema versions, applied in order; `PRAGMA user_version` records the last one applied.
    static let migrations: [String] = [
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            scenario_path TEXT NOT NULL,
            scenario_name TEXT NOT NULL,
            scenario_digest TEXT NOT NULL,
            seed INTEGER NOT NULL,
            engine_version TEXT NOT NULL,
            overrides TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'failed', 'error')),
            wall_seconds REAL,
            events INTEGER,
            final_digest TEXT,
            trace_path TEXT
        );
        CREATE INDEX runs_by_scenario ON runs(scenario_name, id);
        CREATE TABLE run_metrics (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            value REAL NOT NULL,
            PRIMARY KEY (run_id, name)
        );
        CREATE TABLE checkpoints (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            tick INTEGER NOT NULL,
            event_index INTEGER NOT NULL,
            digest TEXT NOT NULL,
            PRIMARY KEY (run_id, event_index)
        );
        """,
        """
        CREATE TABLE run_outcomes (
            run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
            json TEXT NOT NULL
        );
        CREATE TABLE sweeps (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            created_at TEXT NOT NULL,
            scenario_path TEXT NOT NULL,
            scenario_name TEXT NOT NULL,
            scenario_digest TEXT NOT NULL,
            engine_version TEXT NOT NULL,
            spec TEXT NOT NULL,
            total_points INTEGER NOT NULL,
            shard TEXT NOT NULL
        );
        CREATE INDEX sweeps_by_key ON sweeps(key, id);
        CREATE TABLE sweep_points (
            sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            point INTEGER NOT NULL,
            seed INTEGER NOT NULL,
            params TEXT NOT NULL,
            metrics TEXT NOT NULL,
            outcome TEXT NOT NULL,
            digest TEXT NOT NULL,
            events INTEGER NOT NULL,
            wall_seconds REAL NOT NULL,
            PRIMARY KEY (sweep_id, idx)
        );
        """,
        """
        ALTER TABLE sweeps ADD COLUMN overrides TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE sweeps ADD COLUMN status TEXT NOT NULL DEFAULT 'unknown';
        ALTER TABLE sweeps ADD COLUMN finished_at TEXT;
        """,
        """
        ALTER TABLE runs ADD COLUMN pid INTEGER;
        ALTER TABLE runs ADD COLUMN host TEXT;
        ALTER TABLE runs ADD COLUMN process_start INTEGER;
        """,
    ]

    /// Opens a catalog. Read-write creates and migrates it; `readOnly` writes nothing (a
    /// catalog on a read-only disk, or someone else's, can be browsed) and refuses a schema
    /// this pumpsim does not know.
    public init(path: String, readOnly: Bool = false) throws(SQLiteError) {
        if readOnly {
            db = try Self.openReadOnly(path)
            let version = Int(try db.query("PRAGMA user_version").first?.first?.int ?? 0)
            if version > Self.migrations.count {
                throw SQLiteError(path: path, code: -1, message: "schema version \(version) is newer than this pumpsim reads (\(Self.migrations.count)); use a newer pumpsim")
            }
            if version < Self.migrations.count {
                // An older catalog stays readable without writing to it: read a migrated copy.
                let copy = FileManager.default.temporaryDirectory.appendingPathComponent("pumpsim-catalog-\(getpid())-\(UUID().uuidString).sqlite").path
                let quoted = copy.replacingOccurrences(of: "'", with: "''")
                try db.execute("VACUUM INTO '\(quoted)'")
                db = try SQLiteDatabase(path: copy)
                temporaryCopy = copy
                try migrate()
            }
            return
        }
        db = try SQLiteDatabase(path: path)
        let version = Int(try db.query("PRAGMA user_version").first?.first?.int ?? 0)
        if version > Self.migrations.count {
            throw SQLiteError(path: path, code: -1, message: "schema version \(version) is newer than this pumpsim writes (\(Self.migrations.count)); use a newer pumpsim")
        }
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
        try migrate()
    }

    /// Read-only, and if the folder does not let SQLite keep its WAL index, immutable (no
    /// locks: the reader promises nobody writes meanwhile).
    static func openReadOnly(_ path: String) throws(SQLiteError) -> SQLiteDatabase {
        let first = try SQLiteDatabase(path: path, readOnly: true)
        do {
            _ = try first.query("SELECT count(*) FROM sqlite_master")
            return first
        } catch {
            let immutable = try SQLiteDatabase(path: path, readOnly: true, immutable: true)
            _ = try immutable.query("SELECT count(*) FROM sqlite_master")
            return immutable
        }
    }

    private func migrate() throws(SQLiteError) {
        let version = Int(try db.query("PRAGMA user_version").first?.first?.int ?? 0)
        guard version < Self.migrations.count else { return }
        for v in version..<Self.migrations.count {
            do {
                try db.transaction {
                    // Another process may have migrated since the read above: look again inside the transaction.
                    guard Int(try db.query("PRAGMA user_version").first?.first?.int ?? 0) == v else { return }
                    try db.execute(Self.migrations[v])
                    try db.execute("PRAGMA user_version = \(v + 1)")
                }
            } catch let e as SQLiteError {
                throw e
            } catch {
                throw SQLiteError(path: db.path, code: -1, message: "\(error)")
            }
        }
    }

    /// What is known when a run starts.
    public struct RunStart: Sendable {
        public var startedAt: String
        public var scenarioPath: String
        public var scenarioName: String
        public var scenarioDigest: String
        public var seed: UInt64
        public var engineVersion: String
        public var overrides: [String]
        public var tracePath: String?
        public init(startedAt: String, scenarioPath: String, scenarioName: String, scenarioDigest: String, seed: UInt64,
                    engineVersion: String, overrides: [String], tracePath: String?) {
            self.startedAt = startedAt; self.scenarioPath = scenarioPath; self.scenarioName = scenarioName
            self.scenarioDigest = scenarioDigest; self.seed = seed; self.engineVersion = engineVersion
            self.overrides = overrides; self.tracePath = tracePath
        }
    }

    /// Records a starting run; returns its id.
    /// Records a starting run with the process that runs it (so a run whose process died is
    /// seen as stale, not running); returns its id.
    public func begin(_ s: RunStart) throws(SQLiteError) -> Int64 {
        let overrides = JSON.array(s.overrides.map { .string($0) }).serialized()
        let me = ProcessIdentity.current
        try db.query("""
            INSERT INTO runs (started_at, scenario_path, scenario_name, scenario_digest, seed, engine_version, overrides, outcome, trace_path,
                              pid, host, process_start)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)
            """, [.text(s.startedAt), .text(s.scenarioPath), .text(s.scenarioName), .text(s.scenarioDigest),
                  .int(Int64(bitPattern: s.seed)), .text(s.engineVersion), .text(overrides), s.tracePath.map { .text($0) } ?? .null,
                  .int(Int64(me.pid)), .text(me.host), .int(Int64(bitPattern: me.startTicks))])
        return db.lastInsertRowID
    }

    /// A checkpoint as stored.
    public struct StoredCheckpoint: Sendable, Equatable {
        public var tick: UInt64
        public var eventIndex: UInt64
        public var digest: String
        public init(tick: UInt64, eventIndex: UInt64, digest: String) { self.tick = tick; self.eventIndex = eventIndex; self.digest = digest }
    }

    /// Records how a run ended, with its metrics and checkpoints, in one transaction.
    public func finish(run id: Int64, outcome: String, wallSeconds: Double, events: UInt64, finalDigest: String?,
                       metrics: [(String, Double)], checkpoints: [StoredCheckpoint], outcomeJSON: String? = nil) throws {
        var written = 0
        // The fault `pumpsim fuzz` injects (`catalog_write_fail_bps`): the write fails part way, as a full disk would.
        func wrote() throws {
            written += 1
            if let n = failFinishAfterRows, written > n {
                failFinishAfterRows = nil
                throw SQLiteError(path: db.path, code: 10, message: "disk I/O error (an injected fault, after \(n) rows)")
            }
        }
        let body = { [self] () throws in
            if let outcomeJSON {
                try db.query("INSERT INTO run_outcomes (run_id, json) VALUES (?, ?)", [.int(id), .text(outcomeJSON)])
                try wrote()
            }
            try db.query("UPDATE runs SET outcome = ?, wall_seconds = ?, events = ?, final_digest = ? WHERE id = ?",
                         [.text(outcome), .real(wallSeconds), .int(Int64(events)), finalDigest.map { .text($0) } ?? .null, .int(id)])
            try wrote()
            for (name, value) in metrics {
                try db.query("INSERT INTO run_metrics (run_id, name, value) VALUES (?, ?, ?)", [.int(id), .text(name), .real(value)])
                try wrote()
            }
            for c in checkpoints {
                try db.query("INSERT INTO checkpoints (run_id, tick, event_index, digest) VALUES (?, ?, ?, ?)",
                             [.int(id), .int(Int64(c.tick)), .int(Int64(c.eventIndex)), .text(c.digest)])
                try wrote()
            }
        }
        if plantedNonAtomicFinish { try body() } else { try db.transaction(body) }
    }

    /// A fault: the next `finish` fails after writing this many rows (inside its transaction,
    /// which then rolls back). Set by `pumpsim fuzz` for `catalog_write_fail_bps`.
    public var failFinishAfterRows: Int?
    /// A planted defect (tests only): `finish` writes row by row without its transaction, so a
    /// failure part way leaves a half-recorded run (`catalog_consistent` catches it).
    public var plantedNonAtomicFinish = false

    /// One row of `runs`.
    public struct Run: Sendable {
        public var id: Int64
        public var startedAt: String
        public var scenarioPath: String
        public var scenarioName: String
        public var scenarioDigest: String
        public var seed: UInt64
        public var engineVersion: String
        public var overrides: String
        public var outcome: String
        public var wallSeconds: Double?
        public var events: Int64?
        public var finalDigest: String?
        public var tracePath: String?
        /// The process that recorded a `running` run: pid, host and its start (clock ticks since boot).
        public var process: ProcessIdentity?

        /// `outcome`, except that a run still marked running whose process has gone (killed,
        /// crashed) on this host is `stale`.
        public var status: String {
            guard outcome == "running", let p = process, p.host == ProcessIdentity.current.host, !p.isAlive else { return outcome }
            return "stale"
        }

        public var json: JSON {
            .object([
                ("id", .int(id)), ("started_at", .string(startedAt)), ("scenario", .string(scenarioName)),
                ("scenario_path", .string(scenarioPath)), ("scenario_digest", .string(scenarioDigest)), ("seed", .uint(seed)),
                ("engine_version", .string(engineVersion)), ("overrides", .string(overrides)), ("outcome", .string(status)),
                ("wall_seconds", wallSeconds.map { .number(String($0)) } ?? .null), ("events", events.map { .int($0) } ?? .null),
                ("final_digest", finalDigest.map { .string($0) } ?? .null), ("trace", tracePath.map { .string($0) } ?? .null),
            ])
        }
    }

    static let runColumns = "id, started_at, scenario_path, scenario_name, scenario_digest, seed, engine_version, overrides, outcome, wall_seconds, events, final_digest, trace_path, pid, host, process_start"

    static func run(_ r: [SQLValue]) -> Run {
        let process = r[13].int.map { ProcessIdentity(pid: Int32(truncatingIfNeeded: $0), host: r[14].text ?? "", startTicks: UInt64(bitPattern: r[15].int ?? 0)) }
        return Run(id: r[0].int ?? 0, startedAt: r[1].text ?? "", scenarioPath: r[2].text ?? "", scenarioName: r[3].text ?? "",
                   scenarioDigest: r[4].text ?? "", seed: UInt64(bitPattern: r[5].int ?? 0), engineVersion: r[6].text ?? "",
                   overrides: r[7].text ?? "[]", outcome: r[8].text ?? "", wallSeconds: r[9].real, events: r[10].int,
                   finalDigest: r[11].text, tracePath: r[12].text, process: process)
    }

    /// Runs, newest first, optionally of one scenario (by name or path).
    public func runs(scenario: String? = nil, limit: Int = 100) throws(SQLiteError) -> [Run] {
        let rows: [[SQLValue]]
        if let scenario {
            rows = try db.query("SELECT \(Self.runColumns) FROM runs WHERE scenario_name = ? OR scenario_path = ? ORDER BY id DESC LIMIT ?",
                                [.text(scenario), .text(scenario), .int(Int64(limit))])
        } else {
            rows = try db.query("SELECT \(Self.runColumns) FROM runs ORDER BY id DESC LIMIT ?", [.int(Int64(limit))])
        }
        return rows.map(Self.run)
    }

    /// The outcomes JSON stored with a run, if any.
    public func outcomeJSON(run id: Int64) throws(SQLiteError) -> String? {
        try db.query("SELECT json FROM run_outcomes WHERE run_id = ?", [.int(id)]).first?.first?.text
    }

    /// One run with its metrics and checkpoints.
    public func run(id: Int64) throws(SQLiteError) -> (Run, [(String, Double)], [StoredCheckpoint])? {
        guard let row = try db.query("SELECT \(Self.runColumns) FROM runs WHERE id = ?", [.int(id)]).first else { return nil }
        let metrics = try db.query("SELECT name, value FROM run_metrics WHERE run_id = ? ORDER BY name", [.int(id)])
            .map { ($0[0].text ?? "", $0[1].real ?? 0) }
        let checkpoints = try db.query("SELECT tick, event_index, digest FROM checkpoints WHERE run_id = ? ORDER BY event_index", [.int(id)])
            .map { StoredCheckpoint(tick: UInt64($0[0].int ?? 0), eventIndex: UInt64($0[1].int ?? 0), digest: $0[2].text ?? "") }
        return (Self.run(row), metrics, checkpoints)
    }
}

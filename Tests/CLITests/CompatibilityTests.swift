import Foundation
import Testing

/// Version management: what an earlier release wrote (a scenario, a trace, a catalog, committed
/// under Tests/Fixtures/compat/VERSION/ and never edited) stays readable by this one: the trace
/// reads, replays and verifies, the catalog lists and reports, the scenario validates and runs.
/// A file in a newer format is refused with a message naming both versions.
@Suite(.serialized)
struct CompatibilityTests {
    static let releases: [String] = {
        let dir = packageRoot.appendingPathComponent("Tests/Fixtures/compat").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }()

    func fixture(_ release: String) throws -> (dir: String, facts: [String: Any]) {
        let dir = "Tests/Fixtures/compat/\(release)"
        let facts = try json(String(contentsOf: packageRoot.appendingPathComponent("\(dir)/fixture.json"), encoding: .utf8))
        return (dir, facts)
    }

    @Test func thereIsAFixtureOfEachFormat() {
        #expect(Self.releases.contains("0.3.0"))
    }

    /// The old trace: header, events, every checkpoint and frame digest, the recorded scenario.
    @Test(arguments: releases)
    func anOldTraceReadsReplaysAndVerifies(release: String) throws {
        let (dir, facts) = try fixture(release)
        let trace = "\(dir)/run.pstrace"
        let stats = try pumpsim(["trace", "stats", trace, "--json"])
        #expect(stats.status == 0, "\(stats.stderr)")
        let s = try json(stats.stdout)
        #expect(s["format_version"] as? Int == facts["trace_format"] as? Int && s["engine_version"] as? String == facts["engine_version"] as? String)
        let verify = try pumpsim(["replay", trace, "--verify"])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("digest \(facts["final_digest"] as! String)"), "\(verify.stdout)")
        let inputs = try pumpsim(["trace", "cat", trace, "--type", "InputReceived"])
        #expect(inputs.stdout.split(separator: "\n").count == facts["inputs"] as? Int)
        let all = try pumpsim(["trace", "cat", trace])
        #expect(all.status == 0 && all.stdout.split(separator: "\n").count == facts["events"] as? Int)
        // The scenario it recorded still loads; rerun by the same engine version, the same digest.
        let tmp = try tempDir("compat-\(release)")
        let recorded = tmp.appendingPathComponent("recorded.json").path
        let recordedText = try pumpsim(["trace", "scenario", trace]).stdout
        try recordedText.write(toFile: recorded, atomically: true, encoding: .utf8)
        // Its inputs once each (the scenario's own inputs are in the events too).
        #expect((try json(recordedText)["inputs"] as? [Any])?.count == facts["inputs"] as? Int)
        let run = try pumpsim(["run", recorded, "--no-db", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let engine = try pumpsim(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if engine == facts["engine_version"] as? String {
            #expect(try json(run.stdout)["digest"] as? String == facts["final_digest"] as? String)
        }
    }

    /// The old catalog: listed, shown, reported, read-only (the file is not changed), and
    /// upgraded in place by a command that writes.
    @Test(arguments: releases)
    func anOldCatalogReadsAndUpgrades(release: String) throws {
        let (dir, facts) = try fixture(release)
        let original = packageRoot.appendingPathComponent("\(dir)/catalog.sqlite")
        let before = try Data(contentsOf: original)
        let list = try pumpsim(["runs", "list", "--db", original.path, "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains(String((facts["final_digest"] as! String).prefix(16))), "\(list.stdout)")
        let report = try pumpsim(["report", original.path])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(try Data(contentsOf: original) == before, "reading must not change the file")
        let tmp = try tempDir("compat-cat-\(release)")
        let copy = tmp.appendingPathComponent("catalog.sqlite").path
        try FileManager.default.copyItem(atPath: original.path, toPath: copy)
        let run = try pumpsim(["run", "\(dir)/scenario.yaml", "--db", copy, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let count = try tool("sqlite3", [copy, "SELECT count(*) FROM runs"])
        #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
    }

    /// A catalog one schema older than this pumpsim's (the fixture with its last migration
    /// undone) is read without being written: a migrated copy is read.
    @Test func anOlderSchemaIsReadWithoutWritingIt() throws {
        let tmp = try tempDir("compat-schema")
        let copy = tmp.appendingPathComponent("old.sqlite").path
        try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("Tests/Fixtures/compat/0.3.0/catalog.sqlite").path, toPath: copy)
        let undo = try tool("sqlite3", [copy, "ALTER TABLE runs DROP COLUMN pid; ALTER TABLE runs DROP COLUMN host; ALTER TABLE runs DROP COLUMN process_start; PRAGMA user_version = 3;"])
        #expect(undo.status == 0, "\(undo.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        let list = try pumpsim(["runs", "list", "--db", copy])
        #expect(list.status == 0 && list.stdout.contains("compat-0.3.0"), "\(list.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)
    }

    /// Newer formats are refused by this reader, each naming its version and this pumpsim's.
    @Test func newerFormatsAreRefusedNamingBothVersions() throws {
        let tmp = try tempDir("compat-newer")
        // A trace stamped with a format this pumpsim does not know.
        let trace = tmp.appendingPathComponent("newer.pstrace").path
        let w = try pumpsim(["run", "Tests/Fixtures/compat/0.3.0/scenario.yaml", "--no-db", "--trace", trace], environment: ["PUMPSIM_TEST_TRACE_FORMAT": "99"])
        #expect(w.status == 0, "\(w.stderr)")
        let r = try pumpsim(["replay", trace, "--verify"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("trace format version 99 is newer than this pumpsim reads (format "), "\(r.stderr)")
        // A catalog from a newer schema: refused for reading and for writing.
        let cat = tmp.appendingPathComponent("newer.sqlite").path
        try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("Tests/Fixtures/compat/0.3.0/catalog.sqlite").path, toPath: cat)
        _ = try tool("sqlite3", [cat, "PRAGMA user_version = 99"])
        let list = try pumpsim(["runs", "list", "--db", cat])
        #expect(list.status == 2 && list.stderr.contains("schema version 99 is newer than this pumpsim reads ("), "\(list.stderr)")
        let write = try pumpsim(["run", "Tests/Fixtures/compat/0.3.0/scenario.yaml", "--db", cat])
        #expect(write.status == 2 && write.stderr.contains("schema version 99 is newer than this pumpsim writes ("), "\(write.stderr)")
        // A scenario of a newer format version.
        let scen = tmp.appendingPathComponent("newer.yaml").path
        try "version: 7\nduration: 1m\n".write(toFile: scen, atomically: true, encoding: .utf8)
        let v = try pumpsim(["validate", scen])
        #expect(v.status == 2 && v.stderr.contains("scenario format version 7 is newer than this pumpsim reads (version 1)"), "\(v.stderr)")
    }
}

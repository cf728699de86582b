import Foundation
import Testing
import TestScratch
#if canImport(Glibc)
import Glibc
#endif

/// Runs pumpsim (from the package root) and measures its peak memory.
///
/// Not with posix_spawn and wait4 from here: glibc's posix_spawn is a vfork, and at exec Linux
/// records the shared address space's high-water mark (this test process's, hundreds of MB) as
/// the child's. A small python3 forks (a copy of its own few MB) and execs pumpsim, and reports
/// the grandchild's ru_maxrss from os.wait4.
func measured(_ args: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, maxRSSKB: Int, stdout: String, stderr: String) {
    let dir = scratchDirectory.appendingPathComponent("pumpsim-measured-\(getpid())-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let outPath = dir.appendingPathComponent("out").path, errPath = dir.appendingPathComponent("err").path
    let rssPath = dir.appendingPathComponent("maxrss").path
    let script = """
    import os, sys
    rss_file, root, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.chdir(root)
    pid = os.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    _, status, usage = os.wait4(pid, 0)
    with open(rss_file, "w") as f:
        f.write(str(usage.ru_maxrss))
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)
    """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script, rssPath, packageRoot.path, pumpsimBinary.path] + args
    // A plain environment: the test runner's own variables change how the allocator behaves.
    let base = ProcessInfo.processInfo.environment.filter { ["PATH", "HOME", "TMPDIR", "LANG"].contains($0.key) }
    p.environment = base.merging(extra) { $1 }
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    try p.run()
    p.waitUntilExit()
    guard let rss = (try? String(contentsOfFile: rssPath, encoding: .utf8)).flatMap({ Int($0) }) else {
        throw POSIXError(.EIO)
    }
    return (p.terminationStatus, rss, (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "", (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

/// Each case an attacker (or a careless user) tried, through the real binary.
struct HostileInputTests {
    static func write(_ text: String, _ name: String) throws -> String {
        let dir = try tempDir("hostile")
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let billionLaughs = """
    version: 1
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    """

    @Test func aYAMLAliasBombIsRefusedBeforeItExpands() throws {
        let bomb = try Self.write(Self.billionLaughs, "bomb.yaml")
        #expect(Self.billionLaughs.utf8.count < 400)
        for command in ["validate", "run"] {
            let r = try measured([command, bomb])
            #expect(r.status == 2, "\(command)")
            #expect(r.stderr.contains("bomb.yaml:2:4: YAML anchors and aliases"), "\(r.stderr)")
            #expect(r.maxRSSKB < 200 * 1_024, "\(command) took \(r.maxRSSKB) KB")
        }
        let set = try measured(["validate", "Scenarios/quickstart.yaml", "--set", "name=&a [1]"])
        #expect(set.status == 2 && set.stderr.contains("anchors and aliases"), "\(set.stderr)")
    }

    @Test func wrongTypesAreNamedNotIgnored() throws {
        for (override, expected) in [
            ("tokens.0.curve={family: [linear]}", "tokens[0].curve.family: expected text, found a list"),
            ("description=[1, 2, {a: b}]", "description: expected text, found a list"),
            ("wallets.0.name=[1,2]", "wallets[0].name: expected text, found a list"),
            ("duration=-5s", "duration: a duration cannot be negative"),
        ] {
            let r = try pumpsim(["validate", "Scenarios/quickstart.yaml", "--set", override])
            #expect(r.status == 2 && r.stderr.contains(expected), "\(override): \(r.stderr)")
        }
    }

    @Test func flipsInTheSeekTableAreNamedAsSuch() throws {
        let dir = try tempDir("seek")
        let trace = dir.appendingPathComponent("q.pstrace").path
        #expect(try pumpsim(["run", "Scenarios/quickstart.yaml", "--trace", trace, "--no-db"]).status == 0)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: trace)))
        // The table: skippable-frame magic and size, one 8-byte entry per frame, count, descriptor, footer magic.
        for offset in [1, 4, 5, 6, 9, 14, 20, 30, 37, 41] {
            var b = bytes
            b[b.count - offset] ^= 0x04
            let damaged = dir.appendingPathComponent("s\(offset).pstrace").path
            try Data(b).write(to: URL(fileURLWithPath: damaged))
            let verify = try pumpsim(["replay", damaged, "--verify"])
            #expect(verify.status == 1, "byte -\(offset)")
            #expect(verify.stderr.contains("not verified"), "byte -\(offset): \(verify.stderr)")
            let stats = try pumpsim(["trace", "stats", damaged])
            #expect(stats.status == 2, "byte -\(offset): \(stats.stdout) \(stats.stderr)")
            #expect(!stats.stderr.contains("the trace was not finished"), "byte -\(offset): \(stats.stderr)")
        }
    }

    @Test func aTradeStreamIsValidatedInConstantMemory() throws {
        func stream(rows: Int) throws -> String {
            var csv = "slot,wallet,token,side,sol\n0,dev,TEST,create,1\n"
            for i in 0..<rows { csv += "\(1 + i % 1_400),w\(i % 500),TEST,buy,0.\(100_000 + i % 899_999)\n" }
            let dir = try tempDir("stream-\(rows)")
            try csv.write(to: dir.appendingPathComponent("s.csv"), atomically: true, encoding: .utf8)
            try "version: 1\nduration: 1500 slots\ntokens: [{symbol: TEST}]\ntrades: {file: s.csv}\n".write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
            return dir.appendingPathComponent("s.yaml").path
        }
        let small = try measured(["validate", try stream(rows: 5_000)])
        let large = try measured(["validate", try stream(rows: 150_000)])    // about 4 MB
        #expect(small.status == 0 && large.status == 0, "\(large.stderr)")
        #expect(large.stdout.contains("150001 stream rows"))
        // Rows are checked and dropped: thirty times the rows, not thirty times the memory. Holding
        // the file's text and rows (as validate once did) took about 25 MB more for the large one.
        #expect(large.maxRSSKB - small.maxRSSKB < 10 * 1_024, "small \(small.maxRSSKB) KB, large \(large.maxRSSKB) KB")
    }

    @Test func controlCharactersNeverReachTheTerminal() throws {
        let named = try pumpsim(["validate", "Scenarios/quickstart.yaml", "--set", "tokens.0.name=\u{1B}[31mred"])
        #expect(named.status == 2 && named.stderr.contains("a control character (U+001B) in the name"), "\(named.stderr)")
        #expect(!named.stderr.contains("\u{1B}"))
        // A file name with an escape sequence is printed escaped.
        let odd = try pumpsim(["validate", "no/such/\u{1B}[2Jfile.yaml"])
        #expect(odd.status == 2 && !odd.stderr.contains("\u{1B}") && odd.stderr.contains("\\u{1B}[2J"), "\(odd.stderr)")
        // A catalog row written by someone else.
        let dir = try tempDir("ctl")
        let db = dir.appendingPathComponent("c.sqlite").path
        #expect(try pumpsim(["run", "Scenarios/quickstart.yaml", "--db", db]).status == 0)
        #expect(try tool("sqlite3", [db, "UPDATE runs SET scenario_name = 'x' || char(27) || '[31mevil';"]).status == 0)
        let list = try pumpsim(["runs", "list", "--db", db])
        #expect(list.status == 0 && !list.stdout.contains("\u{1B}") && list.stdout.contains("x\\u{1B}[31mevil"), "\(list.stdout)")
        let asJSON = try pumpsim(["runs", "list", "--db", db, "--json"])
        #expect(!asJSON.stdout.contains("\u{1B}") && asJSON.stdout.contains("\\u001b"))
    }

    @Test func catalogsAreReadOnlyForReadsAndNameTheirFile() throws {
        let dir = try tempDir("ro")
        let db = dir.appendingPathComponent("c.sqlite").path
        #expect(try pumpsim(["run", "Scenarios/quickstart.yaml", "--db", db]).status == 0)
        // Someone else's catalog, read by an unprivileged user who may write neither it nor its folder.
        _ = try tool("chmod", ["-R", "a+rX,go-w", dir.path])
        // The report goes to a folder that user may write.
        let out = dir.deletingLastPathComponent().appendingPathComponent("\(dir.lastPathComponent)-out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: out.path)
        for args in [["runs", "list", "--db", db], ["runs", "show", "1", "--db", db], ["report", "run:1", "--db", db, "--out", out.path]] {
            let r = try tool("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", pumpsimBinary.path] + args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
        }
        #expect(try tool("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", pumpsimBinary.path, "runs", "list", "--db", db]).stdout.contains("quickstart"))
        // Not a catalog: the message names the file.
        let junk = dir.appendingPathComponent("junk.sqlite").path
        try Data(repeating: 0x41, count: 4_096).write(to: URL(fileURLWithPath: junk))
        let bad = try pumpsim(["runs", "list", "--db", junk])
        #expect(bad.status == 2 && bad.stderr.contains("catalog \(junk)"), "\(bad.stderr)")
    }

    @Test func theSameSweepTwiceAtOnceIsRefusedWithTheFirstsPID() throws {
        let dir = try tempDir("lock")
        let db = dir.appendingPathComponent("s.sqlite").path
        let p = Process()
        p.executableURL = pumpsimBinary
        p.arguments = ["sweep", "Scenarios/quickstart.yaml", "--grid", "agents.retail.count=100..2000:10", "--db", db, "--quiet", "--jobs", "1"]
        p.currentDirectoryURL = packageRoot
        p.standardOutput = Pipe(); p.standardError = Pipe()
        try p.run()
        defer { if p.isRunning { p.terminate() }; p.waitUntilExit() }
        // Wait until the first has taken its lock (its first row is in the catalog).
        let deadline = Date().addingTimeInterval(60)
        // (Before the catalog exists, or while it is locked, sqlite3 prints nothing: not a row yet.)
        func rows() -> Int { Int((try? tool("sqlite3", [db, "SELECT count(*) FROM sweep_points;"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "") ?? 0 }
        while Date() < deadline, rows() == 0 { Thread.sleep(forTimeInterval: 0.1) }
        #expect(p.isRunning, "the first sweep ended before the second started")
        let second = try pumpsim(["sweep", "Scenarios/quickstart.yaml", "--grid", "agents.retail.count=100..2000:10", "--db", db, "--quiet"])
        #expect(second.status == 2, "\(second.stderr)")
        #expect(second.stderr.contains("already running") && second.stderr.contains("PID \(p.processIdentifier)"), "\(second.stderr)")
        #expect(!second.stderr.contains("UNIQUE"))
    }

    @Test func unclearInputGetsAClearMessage() throws {
        let leaves = try Self.write(String(repeating: String(repeating: "0", count: 63) + "1\n", count: 5), "leaves.txt")
        for (args, expected) in [
            (["loadtest", "Scenarios/fanout-200k.yaml", "--batching", "window=25"], "a window needs a unit, like window=25ms"),
            (["merkle", "root", "--hash", "sha256", "--depth", "2", "--leaves", leaves], "5 leaves do not fit a tree of depth 2 (4 leaves); use --depth 3"),
            (["run", "Scenarios/quickstart.yaml", "--seed", "-1"], "--seed expects a whole number from 0 to 18446744073709551615, found -1"),
            (["quote", "buy", "--sol", "1", "--state", "30000000000,1000,0,2000"], "real tokens (2000) exceed virtual tokens (1000)"),
            (["validate", "Scenarios/quickstart.yaml", "--set", "slot_ms=1", "--set", "duration=720h"], "more than the 6480000 slots one run may have"),
        ] {
            let r = try pumpsim(args)
            #expect(r.status == 2 && r.stderr.contains(expected), "\(args): \(r.stderr)")
        }
        let start = Date()
        let many = try pumpsim(["loadtest", "Scenarios/fanout-200k.yaml", "--subscribers", "10000000"])
        #expect(many.status == 2 && many.stderr.contains("from 1 to 1000000") && Date().timeIntervalSince(start) < 10, "\(many.stderr)")
    }
}

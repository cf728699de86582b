import Foundation
import Testing

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `pumpsim` binary SwiftPM built next to the test bundle.
let pumpsimBinary: URL = {
    var candidates: [URL] = []
    if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
    candidates.append(packageRoot.appendingPathComponent(".build/debug"))
    for dir in candidates {
        var d = dir
        for _ in 0..<4 {
            let c = d.appendingPathComponent("pumpsim")
            if FileManager.default.isExecutableFile(atPath: c.path) { return c }
            d = d.deletingLastPathComponent()
        }
    }
    return packageRoot.appendingPathComponent(".build/debug/pumpsim")
}()

struct Output {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `pumpsim` with arguments (from the package root) and an environment patch.
func pumpsim(_ args: [String], environment: [String: String?] = [:]) throws -> Output {
    try runProcess(pumpsimBinary, args, environment: environment)
}

/// Runs an executable from the package root with an environment patch (nil removes a variable).
func runProcess(_ executable: URL, _ args: [String], environment: [String: String?] = [:]) throws -> Output {
    let p = Process()
    p.executableURL = executable
    p.arguments = args
    p.currentDirectoryURL = packageRoot
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

/// A malformed scenario and its expected message.
struct BadScenario: CustomTestStringConvertible, Sendable {
    let relativePath: String
    let expected: String
    var testDescription: String { URL(fileURLWithPath: relativePath).lastPathComponent }

    static let all: [BadScenario] = {
        let dir = "Tests/Fixtures/bad-scenarios"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent(dir).path)) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.sorted().map { name in
            let path = "\(dir)/\(name)"
            let text = (try? String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)) ?? ""
            let first = text.split(separator: "\n").first ?? ""
            return BadScenario(relativePath: path, expected: first.replacingOccurrences(of: "# expect: ", with: "").replacingOccurrences(of: "{file}", with: path))
        }
    }()
}

struct CLITests {
    @Test(arguments: BadScenario.all)
    func malformedScenariosExitWithCode2AndTheMessage(_ bad: BadScenario) throws {
        for command in ["validate", "run"] {
            let r = try pumpsim([command, bad.relativePath])
            #expect(r.status == 2, "\(command) \(bad.relativePath)")
            #expect(r.stderr.trimmingCharacters(in: .newlines) == bad.expected, "\(command)")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test func quickstartDigestIsTheSameAcrossProcessesAndHashSeeds() throws {
        let plain = try pumpsim(["run", "Scenarios/quickstart.yaml", "--json", "--no-db"], environment: ["SWIFT_DETERMINISTIC_HASHING": nil])
        let fixed = try pumpsim(["run", "Scenarios/quickstart.yaml", "--json", "--no-db"], environment: ["SWIFT_DETERMINISTIC_HASHING": "1"])
        let other = try pumpsim(["run", "Scenarios/quickstart.yaml", "--json", "--seed", "43", "--no-db"])
        #expect(plain.status == 0 && fixed.status == 0 && other.status == 0)
        let a = try json(plain.stdout), b = try json(fixed.stdout), c = try json(other.stdout)
        let digest = try #require(a["digest"] as? String)
        #expect(digest.count == 64)
        #expect(digest == b["digest"] as? String)
        #expect((a["checkpoints"] as? [[String: Any]])?.map { $0["digest"] as? String } == (b["checkpoints"] as? [[String: Any]])?.map { $0["digest"] as? String })
        #expect(digest != c["digest"] as? String)
        #expect((a["events_per_second"] as? Int ?? 0) > 0)
    }

    @Test func runPrintsTheSummaryForPeople() throws {
        let r = try pumpsim(["run", "Scenarios/quickstart.yaml", "--no-db"])
        #expect(r.status == 0)
        for heading in ["TOKENS", "CHAIN", "REWARDS", "VIRTUAL ENVIRONMENTS", "LIMITS", "digest ", "events/s"] {
            #expect(r.stdout.contains(heading), "missing \(heading)")
        }
        #expect(r.stderr.isEmpty)   // no progress when stderr is not a terminal
    }

    @Test func quoteBuyingTheWholeCurveMatchesTheReference() throws {
        let r = try pumpsim(["quote", "buy", "--tokens", "793100000000000"])
        #expect(r.status == 0)
        let q = try json(r.stdout)
        #expect(q["tokens"] as? Int == 793_100_000_000_000)
        #expect(q["curve_sol"] as? Int == 85_005_359_057)
        #expect(q["protocol_fee"] as? Int == 807_550_912)      // ceil(85_005_359_057 × 95 / 10_000)
        #expect(q["creator_fee"] as? Int == 255_016_078)       // ceil(… × 30 / 10_000)
        #expect(q["sol_total"] as? Int == 86_067_926_047)
        let after = try #require(q["state_after"] as? [String: Any])
        #expect(after["virtual_sol"] as? Int == 115_005_359_057)
        #expect(after["complete"] as? Bool == true)
        for key in ["price_before", "price_after", "impact_bps"] { #expect(q[key] != nil) }
    }

    @Test func quoteRejectionsExit1WithTheProgramError() throws {
        let r = try pumpsim(["quote", "buy", "--tokens", "1000000", "--max-sol-cost", "1"])
        #expect(r.status == 1)
        #expect(try json(r.stdout)["error"] as? String == "TooMuchSolRequired")
        let done = try pumpsim(["quote", "sell", "--tokens", "1000", "--complete"])
        #expect(done.status == 1)
        #expect(try json(done.stdout)["error"] as? String == "BondingCurveComplete")
        let strict = try pumpsim(["quote", "buy", "--sol", "200000000000", "--no-partial-fill", "--fee-profile", "legacy2024"])
        #expect(try json(strict.stdout)["error"] as? String == "NotEnoughTokensToBuy")
    }

    @Test func quoteSellFromAStateUsesTheGivenReserves() throws {
        let r = try pumpsim(["quote", "sell", "--tokens", "1000000000000", "--state", "31000000000,1038000000000000,1000000000,758100000000000",
                             "--fee-profile", "may2025"])
        #expect(r.status == 0)
        let q = try json(r.stdout)
        let curveSol = Int(UInt128(1_000_000_000_000) * 31_000_000_000 / (1_038_000_000_000_000 + 1_000_000_000_000))
        #expect(q["curve_sol"] as? Int == curveSol)
        let fee = (curveSol * 95 + 9_999) / 10_000, creator = (curveSol * 5 + 9_999) / 10_000
        #expect(q["sol_total"] as? Int == curveSol - fee - creator)
    }

    @Test func badArgumentsExit2AndHelpExits0() throws {
        #expect(try pumpsim(["quote", "buy"]).status == 2)
        #expect(try pumpsim(["quote", "buy", "--sol", "1", "--state", "1,2"]).status == 2)
        #expect(try pumpsim(["run"]).status == 2)
        #expect(try pumpsim(["run", "no/such/file.yaml"]).status == 2)
        let help = try pumpsim(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("quote"))
        #expect(help.stdout.contains("Exit codes"))
    }
}

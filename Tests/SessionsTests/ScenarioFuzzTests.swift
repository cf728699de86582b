import Foundation
import Testing
import SimCore
import Scenario
import Sessions
import TestScratch

/// 2 000 mutated scenarios through `validate` (the session the command runs): no trap, each
/// under a second, none taking more than 200 MB.
struct ScenarioFuzzTests {
    static let hostile = [
        "-1", "-5s", "18446744073709551616", "99999999999999999999999999", "1e400", "0", "null", "~", "\"\"",
        "[1, 2, {a: b}]", "{}", "[]", "{family: [linear]}", "\"\\u001b[31mred\\u001b[0m\"", "\"a\\u0000b\"", "&a [1, 2]", "*a",
        String(repeating: "[", count: 200) + String(repeating: "]", count: 200), "2000000", "2000001", "30d", "720h", "1000000h",
        "0.0000000001", "400ms", "1 slots", "/dev/zero", "/dev/urandom", "/etc/passwd", "|", ">-", "!!binary AAAA", "yes",
        "window=25", "conflate=0ms", "size=0", String(repeating: "x", count: 70_000), "pumpfun", "linear", "exponential",
    ]

    static func mutate(_ text: String, _ rng: inout SimRandom) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func pick() -> Int { Int(rng.uniform(below: UInt64(max(lines.count, 1)))) }
        for _ in 0...rng.uniform(below: 3) {
            guard !lines.isEmpty else { break }
            let i = pick()
            switch rng.uniform(below: 9) {
            case 0: lines.remove(at: i)
            case 1: lines.insert(lines[i], at: i)
            case 2, 3, 4:
                let value = hostile[Int(rng.uniform(below: UInt64(hostile.count)))]
                if let colon = lines[i].firstIndex(of: ":") { lines[i] = String(lines[i][...colon]) + " " + value } else { lines[i] += " " + value }
            case 5: lines.swapAt(i, pick())
            case 6:
                var bytes = Array(lines[i].utf8)
                bytes.insert(UInt8(rng.uniform(below: 128)), at: Int(rng.uniform(below: UInt64(bytes.count + 1))))
                lines[i] = String(decoding: bytes, as: UTF8.self)
            case 7: lines = Array(lines.prefix(i))
            default:
                lines += ["a: &a [x, x, x, x, x, x, x, x, x]", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]", "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]"]
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Peak resident memory since the last reset, and the reset (Linux: /proc/self/clear_refs).
    static func peakKB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    static func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }

    @Test func twoThousandMutatedScenariosAreRefusedOrAcceptedQuickly() throws {
        let dir = scratchDirectory.appendingPathComponent("pumpsim-scenario-fuzz-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? FileManager.default.copyItem(atPath: scenarioPath("backtest-sample.csv"), toPath: dir.appendingPathComponent("backtest-sample.csv").path)
        let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures/bad-scenarios").path
        let bases = try (FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Scenarios").path)
            .filter { $0.hasSuffix(".yaml") }.map { scenarioPath($0) }
            + FileManager.default.contentsOfDirectory(atPath: fixtures).filter { $0.hasSuffix(".yaml") }.map { "\(fixtures)/\($0)" })
            .sorted().map { try String(contentsOfFile: $0, encoding: .utf8) }
        var rng = SimRandom(seed: 7_654_321)
        var valid = 0, slowest = 0.0, worstKB = 0
        for n in 0..<2_000 {
            let text = Self.mutate(bases[n % bases.count], &rng)
            let path = dir.appendingPathComponent("m\(n % 8).yaml").path
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            let before = Self.peakKB()
            Self.resetPeak()
            let start = ContinuousClock.now
            let result = ValidateSession.check(path)
            let took = seconds(since: start)
            let grew = Self.peakKB() - min(before, Self.peakKB())
            slowest = max(slowest, took)
            worstKB = max(worstKB, grew)
            #expect(took < 1, "mutation \(n) took \(took) s")
            #expect(grew < 200 * 1_024, "mutation \(n) grew the process by \(grew) KB")
            switch result {
            case .success: valid += 1
            case .failure(let e):
                #expect(!e.description.isEmpty)
                // What the command prints: no control character but line breaks reaches the terminal.
                let printed = PumpSimError.badInput(e.description).description
                #expect(!printed.unicodeScalars.contains { TerminalText.isControl($0) && $0 != "\n" && $0 != "\t" },
                        "mutation \(n): a control character reaches the terminal: \(printed.debugDescription)")
            }
        }
        #expect(valid > 20 && valid < 1_900, "\(valid) of 2000 mutations still valid")
        print("scenario fuzz: \(valid) valid, slowest \(slowest) s, peak growth \(worstKB) KB")
    }
}

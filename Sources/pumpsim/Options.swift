import ArgumentParser
import Foundation
import Curves
import Fanout
import Sessions
import Engine
import Ledger

extension CurveFamily: ExpressibleByArgument {}
extension FeeProfileName: ExpressibleByArgument {}
extension MerkleSession.HashKind: ExpressibleByArgument {}

/// Option values checked where they are parsed, with messages that say what was expected.
enum Parse {
    /// A seed: a whole number from 0 to 2^64 − 1 (`--seed -1` is refused as such, not as an unknown option).
    static func seed(_ text: String) throws -> UInt64 {
        guard let v = UInt64(text) else {
            throw ValidationError("--seed expects a whole number from 0 to \(UInt64.max), found \(text)")
        }
        return v
    }

    /// `--batching` values: one policy or a list of windows.
    static func policies(_ text: String) throws -> [BatchingPolicy] {
        do { return try LoadtestSession.policies(text) } catch { throw ValidationError(error.description) }
    }

    /// A duration with a unit (`900us`, `25ms`, `30s`, `2m`, `1h`) in microseconds.
    static func duration(_ text: String) -> UInt64? {
        for (suffix, scale) in [("us", 1.0), ("ms", 1e3), ("s", 1e6), ("m", 60e6), ("h", 3_600e6)] where text.hasSuffix(suffix) {
            let n = text.dropLast(suffix.count)
            if suffix == "s" && (n.hasSuffix("m") || n.hasSuffix("u")) { continue }
            if let v = Double(n), v >= 0, v.isFinite, v * scale <= 86_400e6 { return UInt64(v * scale) }
        }
        return nil
    }

    /// A count in `range`.
    static func count(_ name: String, _ range: ClosedRange<Int>) -> @Sendable (String) throws -> Int {
        { text in
            guard let v = Int(text), range.contains(v) else {
                throw ValidationError("--\(name) expects a whole number from \(range.lowerBound) to \(range.upperBound), found \(text)")
            }
            return v
        }
    }
}

/// `--jobs`: threads for work whose results do not depend on them.
struct JobsOption: ParsableArguments {
    @Option(help: "Threads (results are the same for any number).", transform: Parse.count("jobs", 1...1_024))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
}

extension PlantedDefect: ExpressibleByArgument {}

/// `--check-invariants` and the hidden `--plant-defect`.
struct InvariantOptions: ParsableArguments {
    @Flag(help: ArgumentHelp("Check every invariant after every event and over the whole state at each checkpoint (conservation of SOL and tokens, curve invariants, rewards within the vault, virtual isolation, mempool and block limits, state-tree roots); a violation exits 1 naming the invariant, the event and the values. Always on in debug builds."))
    var checkInvariants = false
    @Option(help: .hidden) var plantDefect: PlantedDefect?

    /// Whether to check: asked, planted (a planted bug is only worth finding), or a debug build.
    var enabled: Bool { checkInvariants || plantDefect != nil || World.checksInvariantsByDefault }
}

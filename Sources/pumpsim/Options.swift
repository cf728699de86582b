import ArgumentParser
import Foundation
import Curves
import Fanout
import Sessions

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

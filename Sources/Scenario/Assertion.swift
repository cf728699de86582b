import SimCore
import Fanout

/// A threshold on a run's metrics that fails the run, as load-test tools do: `ws.latency.p99 < 250ms`,
/// `tokens.TEST.graduation_seconds < 300`, `chain.expired < 100`, `rewards.claimed_sol <= 10`;
/// or a property of the run: `invariants` (none violated), `no_error` (the run completed).
public struct Assertion: Sendable, Hashable, CustomStringConvertible {
    public enum Op: String, Sendable, CaseIterable { case lt = "<", le = "<=", gt = ">", ge = ">=" }
    /// What an assertion looks at.
    public enum Target: Sendable, Hashable {
        /// A `ws.*` figure of the fan-out (`value` holds the threshold).
        case ws
        /// A field of the run's outcome, by path (`tokens`, `TEST`, `graduation_seconds`); `threshold` holds the bound.
        case outcome([String])
        /// No invariant was violated.
        case invariants
        /// The run completed without an error.
        case noError
    }
    public var metric: String
    public var op: Op
    /// Microseconds for latencies, plain numbers otherwise.
    public var value: UInt64
    public var text: String
    public var target: Target = .ws
    /// The bound of an outcome assertion (decimal, any sign).
    public var threshold: Double = 0

    /// Outcome sections and top-level fields an outcome assertion may start with.
    public static let outcomeRoots = ["tokens", "chain", "rewards", "environments", "compression",
                                      "events", "chat_messages", "rate_limited", "account_too_new", "agents", "duration_slots"]

    /// Whether `op` holds between an actual value and a bound.
    public func holds(_ actual: Double, _ bound: Double) -> Bool {
        switch op {
        case .lt: return actual < bound
        case .le: return actual <= bound
        case .gt: return actual > bound
        case .ge: return actual >= bound
        }
    }

    /// Metrics an assertion may name.
    public static let metrics = ["ws.latency.p50", "ws.latency.p90", "ws.latency.p99", "ws.latency.p99.9", "ws.latency.max",
                                 "ws.delivered", "ws.dropped", "ws.drop_rate_bps", "ws.utilisation_bps", "ws.frames",
                                 "ws.bytes", "ws.disconnects", "ws.gave_up", "ws.utilisation_peak_bps", "ws.conflated",
                                 "ws.dropped.offline", "ws.dropped.left", "ws.dropped.slow_consumer", "ws.dropped.frame_loss",
                                 "ws.dropped.connection_loss", "ws.dropped.node_death", "ws.in_flight", "ws.reconnects",
                                 "ws.latency.p99_peak", "ws.lag_peak_ms", "ws.messages_per_frame_x100"]

    /// Why an assertion did not parse.
    public struct Problem: Error, Sendable { public var message: String }

    /// Parses `METRIC OP VALUE`; latencies take a unit (`250ms`, `1s`, `900us`).
    public static func parse(_ text: String) -> Result<Assertion, Problem> {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if parts == ["invariants"] { return .success(Assertion(metric: "invariants", op: .le, value: 0, text: text, target: .invariants)) }
        if parts == ["no_error"] { return .success(Assertion(metric: "no_error", op: .le, value: 0, text: text, target: .noError)) }
        guard parts.count == 3 else { return .failure(Problem(message: "expected METRIC OP VALUE (like ws.latency.p99 < 250ms or tokens.TEST.graduation_seconds < 300), invariants, or no_error")) }
        if !parts[0].hasPrefix("ws.") {
            let path = parts[0].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard let root = path.first, outcomeRoots.contains(root), !path.contains("") else {
                return .failure(Problem(message: "unknown metric \(parts[0]); expected ws.*, or an outcome field under \(outcomeRoots.joined(separator: ", ")) (like tokens.TEST.graduation_seconds or chain.expired)"))
            }
            guard let op = Op(rawValue: parts[1]) else { return .failure(Problem(message: "unknown comparison \(parts[1]); expected <, <=, > or >=")) }
            guard let bound = Double(parts[2]), bound.isFinite else { return .failure(Problem(message: "cannot read the value \(parts[2]); expected a number like 300 or 0.5")) }
            return .success(Assertion(metric: parts[0], op: op, value: 0, text: text, target: .outcome(path), threshold: bound))
        }
        guard metrics.contains(parts[0]) else { return .failure(Problem(message: "unknown metric \(parts[0]); expected one of \(metrics.joined(separator: ", "))")) }
        guard let op = Op(rawValue: parts[1]) else { return .failure(Problem(message: "unknown comparison \(parts[1]); expected <, <=, > or >=")) }
        let v: UInt64?
        if Self.isLatency(parts[0]) {
            let s = parts[2]
            if s.hasSuffix("us") { v = UInt64(s.dropLast(2)) }
            else if s.hasSuffix("ms") { v = FixedDecimal.parse(String(s.dropLast(2)), scale: 3) }
            else if s.hasSuffix("s") { v = FixedDecimal.parse(String(s.dropLast(1)), scale: 6) }
            else { return .failure(Problem(message: "a latency takes a unit, like 250ms (found \(s))")) }
        } else {
            v = FixedDecimal.parse(parts[2], scale: 0)
        }
        guard let value = v else { return .failure(Problem(message: "cannot read the value \(parts[2]); expected a non-negative whole number\(Self.isLatency(parts[0]) ? " with a unit" : "")")) }
        return .success(Assertion(metric: parts[0], op: op, value: value, text: text))
    }

    /// Latencies are written with a unit and measured in µs.
    public static func isLatency(_ metric: String) -> Bool { metric.hasPrefix("ws.latency.") }

    /// The metric's value in a fan-out result.
    public static func value(of metric: String, in r: FanoutResult) -> UInt64 {
        switch metric {
        case "ws.latency.p50": return r.latency.valueAtPercentile(50)
        case "ws.latency.p90": return r.latency.valueAtPercentile(90)
        case "ws.latency.p99": return r.latency.valueAtPercentile(99)
        case "ws.latency.p99.9": return r.latency.valueAtPercentile(99.9)
        case "ws.latency.max": return r.latency.maxRecorded
        case "ws.delivered": return r.delivered
        case "ws.dropped": return r.dropped
        case "ws.drop_rate_bps": return r.intended == 0 ? 0 : UInt64(UInt128(r.dropped) * 10_000 / UInt128(r.intended))
        case "ws.utilisation_bps": return r.utilisationBps
        case "ws.frames": return r.frames
        case "ws.bytes": return r.bytes
        case "ws.disconnects": return r.disconnects
        case "ws.gave_up": return r.gaveUp
        case "ws.utilisation_peak_bps": return r.utilisationPeakBps
        case "ws.conflated": return r.conflated
        case "ws.dropped.offline": return r.droppedOffline
        case "ws.dropped.left": return r.droppedLeft
        case "ws.dropped.slow_consumer": return r.droppedSlowConsumer
        case "ws.dropped.frame_loss": return r.droppedFrameLoss
        case "ws.dropped.connection_loss": return r.droppedConnectionLoss
        case "ws.dropped.node_death": return r.droppedNodeDeath
        case "ws.in_flight": return r.inFlight
        case "ws.reconnects": return r.reconnects
        case "ws.latency.p99_peak": return r.series.points.map { r.series.latency(at: $0, percentile: 99) }.max() ?? 0
        case "ws.lag_peak_ms": return (r.series.lagMaxNanos.max() ?? 0) / 1_000_000
        case "ws.messages_per_frame_x100": return r.messageFrames == 0 ? 0 : r.messagesInFrames * 100 / r.messageFrames
        default: return 0
        }
    }

    /// Whether the result satisfies the assertion, and the measured value.
    public func check(_ r: FanoutResult) -> (passed: Bool, actual: UInt64) {
        let v = Assertion.value(of: metric, in: r)
        switch op {
        case .lt: return (v < value, v)
        case .le: return (v <= value, v)
        case .gt: return (v > value, v)
        case .ge: return (v >= value, v)
        }
    }

    public var description: String { text }
}

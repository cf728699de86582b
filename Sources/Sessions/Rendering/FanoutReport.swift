import Foundation
import SimCore
import Scenario
import Fanout

/// The fan-out of a finished run under one policy, as JSON and as a table row.
public enum FanoutReport {
    public static func json(_ r: FanoutResult, assertions: [Assertion], series: Bool = false) -> JSON {
        let ms = Format.ms
        var fields: [(String, JSON)] = [
            ("policy", .string(r.policy.description)),
            ("latency_ms", .object([("p50", .number(ms(r.latency.valueAtPercentile(50)))), ("p90", .number(ms(r.latency.valueAtPercentile(90)))),
                                    ("p99", .number(ms(r.latency.valueAtPercentile(99)))), ("p99_9", .number(ms(r.latency.valueAtPercentile(99.9)))),
                                    ("max", .number(ms(r.latency.maxRecorded)))])),
            ("frames", .uint(r.frames)), ("bytes", .uint(r.bytes)),
            ("messages_per_frame", .number(String(format: "%.2f", r.messageFrames == 0 ? 0 : Double(r.messagesInFrames) / Double(r.messageFrames)))),
            ("intended", .uint(r.intended)), ("delivered", .uint(r.delivered)), ("conflated", .uint(r.conflated)),
            ("dropped", .uint(r.dropped)), ("dropped_by_cause", .object(r.dropCauses.map { ($0.0, .uint($0.1)) })),
            ("in_flight", .uint(r.inFlight)), ("conserved", .bool(r.isConserved)),
            ("disconnects", .uint(r.disconnects)), ("reconnects", .uint(r.reconnects)), ("gave_up", .uint(r.gaveUp)),
            ("slow_consumer_events", .uint(r.slowConsumerEvents)), ("heartbeat_frames", .uint(r.heartbeatFrames)),
            ("resync_frames", .uint(r.resyncFrames)), ("failed_over", .uint(r.failedOver)), ("failover_reconnects", .uint(r.failoverReconnects)),
            ("server_utilisation_bps", .uint(r.utilisationBps)), ("server_utilisation_peak_bps", .uint(r.utilisationPeakBps)),
        ]
        if series { fields.append(("series", seriesJSON(r.series))) }
        if !assertions.isEmpty {
            fields.append(("assertions", .array(assertions.filter { $0.target == .ws }.map { a in
                let (ok, v) = a.check(r)
                return .object([("assertion", .string(a.text)), ("passed", .bool(ok)), ("actual", .uint(v))])
            })))
        }
        return .object(fields)
    }

    /// The per-interval figures as columns (one array per figure, one entry per interval).
    public static func seriesJSON(_ s: FanoutSeries) -> JSON {
        let p = s.points
        func col(_ f: (Int) -> UInt64) -> JSON { .array(p.map { .uint(f($0)) }) }
        return .object([
            ("interval_ms", .uint(s.intervalMicros / 1_000)),
            ("t_s", .array(p.map { .uint(UInt64($0) * s.intervalMicros / 1_000_000) })),
            ("delivered", col { s.delivered[$0] }), ("frames", col { s.frames[$0] }), ("bytes", col { s.bytes[$0] }),
            ("utilisation_mean_bps", col { s.meanUtilisationBps(at: $0) }), ("utilisation_peak_bps", col { s.peakUtilisationBps(at: $0) }),
            ("lag_max_ms", .array(p.map { .number(Format.ms(s.lagMaxNanos[$0] / 1_000)) })),
            ("queued_bytes_max", col { s.queuedBytesMax[$0] }),
            ("p50_ms", .array(p.map { .number(Format.ms(s.latency(at: $0, percentile: 50))) })),
            ("p99_ms", .array(p.map { .number(Format.ms(s.latency(at: $0, percentile: 99))) })),
            ("dropped", col { s.dropped[$0] }), ("disconnects", col { s.disconnects[$0] }), ("reconnects", col { s.reconnects[$0] }),
        ])
    }

    public static let header = "policy                         p50 ms   p90 ms   p99 ms p99.9 ms   max ms      frames       MB  msg/frame  delivered%  conflated  dropped  disconnects  util%  peak%"

    public static func row(_ r: FanoutResult, mark: String = "") -> String {
        let pad = Format.right, ms = Format.ms
        let mpf = r.messageFrames == 0 ? 0 : Double(r.messagesInFrames) / Double(r.messageFrames)
        let deliveredPct = r.intended == 0 ? 0 : Double(r.delivered) * 100 / Double(r.intended)
        return r.policy.description.padding(toLength: 28, withPad: " ", startingAt: 0)
            + pad(ms(r.latency.valueAtPercentile(50)), 9) + pad(ms(r.latency.valueAtPercentile(90)), 9)
            + pad(ms(r.latency.valueAtPercentile(99)), 9) + pad(ms(r.latency.valueAtPercentile(99.9)), 9) + pad(ms(r.latency.maxRecorded), 9)
            + pad(String(r.frames), 12) + pad(String(format: "%.1f", Double(r.bytes) / 1e6), 9) + pad(String(format: "%.2f", mpf), 11)
            + pad(String(format: "%.2f", deliveredPct), 12) + pad(String(r.conflated), 11) + pad(String(r.dropped), 9) + pad(String(r.disconnects), 13)
            + pad(String(format: "%.1f", Double(r.utilisationBps) / 100), 7) + pad(String(format: "%.1f", Double(r.utilisationPeakBps) / 100), 7) + mark
    }

    /// `assertion TEXT: passed (VALUE)`, latencies in milliseconds.
    public static func assertionLine(_ a: Assertion, _ r: FanoutResult) -> String {
        let (ok, v) = a.check(r)
        return "assertion \(a.text): \(ok ? "passed" : "FAILED") (\(Assertion.isLatency(a.metric) ? Format.ms(v) + " ms" : String(v)))"
    }
}

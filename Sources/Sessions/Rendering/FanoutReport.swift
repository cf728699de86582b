import Foundation
import SimCore
import Scenario
import Fanout

/// The fan-out of a finished run under one policy, as JSON and as a table row.
public enum FanoutReport {
    public static func json(_ r: FanoutResult, assertions: [Assertion]) -> JSON {
        let ms = Format.ms
        var fields: [(String, JSON)] = [
            ("policy", .string(r.policy.description)),
            ("latency_ms", .object([("p50", .number(ms(r.latency.valueAtPercentile(50)))), ("p90", .number(ms(r.latency.valueAtPercentile(90)))),
                                    ("p99", .number(ms(r.latency.valueAtPercentile(99)))), ("p99_9", .number(ms(r.latency.valueAtPercentile(99.9)))),
                                    ("max", .number(ms(r.latency.maxRecorded)))])),
            ("frames", .uint(r.frames)), ("bytes", .uint(r.bytes)),
            ("messages_per_frame", .number(String(format: "%.2f", r.messageFrames == 0 ? 0 : Double(r.messagesInFrames) / Double(r.messageFrames)))),
            ("intended", .uint(r.intended)), ("delivered", .uint(r.delivered)), ("conflated", .uint(r.conflated)),
            ("dropped", .uint(r.dropped)), ("in_flight", .uint(r.inFlight)), ("conserved", .bool(r.isConserved)),
            ("disconnects", .uint(r.disconnects)), ("reconnects", .uint(r.reconnects)), ("gave_up", .uint(r.gaveUp)),
            ("slow_consumer_events", .uint(r.slowConsumerEvents)), ("heartbeat_frames", .uint(r.heartbeatFrames)),
            ("server_utilisation_bps", .uint(r.utilisationBps)),
        ]
        if !assertions.isEmpty {
            fields.append(("assertions", .array(assertions.map { a in
                let (ok, v) = a.check(r)
                return .object([("assertion", .string(a.text)), ("passed", .bool(ok)), ("actual", .uint(v))])
            })))
        }
        return .object(fields)
    }

    public static let header = "policy                         p50 ms   p90 ms   p99 ms p99.9 ms   max ms      frames       MB  msg/frame  delivered%  dropped  disconnects  util%"

    public static func row(_ r: FanoutResult, mark: String = "") -> String {
        let pad = Format.right, ms = Format.ms
        let mpf = r.messageFrames == 0 ? 0 : Double(r.messagesInFrames) / Double(r.messageFrames)
        let deliveredPct = r.intended == 0 ? 0 : Double(r.delivered) * 100 / Double(r.intended)
        return r.policy.description.padding(toLength: 28, withPad: " ", startingAt: 0)
            + pad(ms(r.latency.valueAtPercentile(50)), 9) + pad(ms(r.latency.valueAtPercentile(90)), 9)
            + pad(ms(r.latency.valueAtPercentile(99)), 9) + pad(ms(r.latency.valueAtPercentile(99.9)), 9) + pad(ms(r.latency.maxRecorded), 9)
            + pad(String(r.frames), 12) + pad(String(format: "%.1f", Double(r.bytes) / 1e6), 9) + pad(String(format: "%.2f", mpf), 11)
            + pad(String(format: "%.2f", deliveredPct), 12) + pad(String(r.dropped), 9) + pad(String(r.disconnects), 13)
            + pad(String(format: "%.1f", Double(r.utilisationBps) / 100), 7) + mark
    }

    /// `assertion TEXT: passed (VALUE)`, latencies in milliseconds.
    public static func assertionLine(_ a: Assertion, _ r: FanoutResult) -> String {
        let (ok, v) = a.check(r)
        return "assertion \(a.text): \(ok ? "passed" : "FAILED") (\(a.metric.hasPrefix("ws.latency") ? Format.ms(v) + " ms" : String(v)))"
    }
}

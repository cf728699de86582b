import Foundation
import Synchronization
import Prometheus
import Sessions

/// `/metrics` in the Prometheus text format (swift-prometheus): the service's counters read at
/// scrape time, API request durations by route and status recorded as they happen.
final class LiveMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let counters: Counters
    let hub: Hub
    let service: LiveService
    let run: GuardedRun
    private let histograms = Mutex<[String: DurationHistogram]>([:])
    static let buckets: [Duration] = [.microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(25),
                                      .milliseconds(100), .milliseconds(500), .seconds(2)]

    init(counters: Counters, hub: Hub, service: LiveService, run: GuardedRun) {
        self.counters = counters; self.hub = hub; self.service = service; self.run = run
    }

    func recordRequest(route: String, status: Int, seconds d: Duration) {
        let key = "\(route) \(status)"
        let h = histograms.withLock { m -> DurationHistogram in
            if let h = m[key] { return h }
            let h = registry.makeDurationHistogram(name: "pumpsim_api_request_duration_seconds",
                                                   labels: [("route", route), ("status", "\(status)")], buckets: Self.buckets)
            m[key] = h
            return h
        }
        h.recordNanoseconds(Int64(d.components.seconds) * 1_000_000_000 + d.components.attoseconds / 1_000_000_000)
    }

    /// Name, value pairs of every counter (also the end-of-run summary).
    func snapshot() -> [(String, Int)] {
        let c = counters
        return [
            ("pumpsim_ws_connections", hub.connectionCount),
            ("pumpsim_ws_connections_opened_total", c.connectionsOpened.load(ordering: .relaxed)),
            ("pumpsim_ws_connections_refused_total", c.connectionsRefused.load(ordering: .relaxed)),
            ("pumpsim_ws_messages_published_total", c.published.load(ordering: .relaxed)),
            ("pumpsim_ws_messages_sent_total", c.messagesSent.load(ordering: .relaxed)),
            ("pumpsim_ws_frames_sent_total", c.framesSent.load(ordering: .relaxed)),
            ("pumpsim_ws_bytes_sent_total", c.bytesSent.load(ordering: .relaxed)),
            ("pumpsim_ws_frames_dropped_total", c.framesDropped.load(ordering: .relaxed)),
            ("pumpsim_ws_messages_conflated_total", c.conflated.load(ordering: .relaxed)),
            ("pumpsim_ws_slow_consumers_total", c.slowConsumers.load(ordering: .relaxed)),
            ("pumpsim_ws_snapshots_total", c.snapshots.load(ordering: .relaxed)),
            ("pumpsim_ws_resumes_total", c.resumes.load(ordering: .relaxed)),
            ("pumpsim_ws_stale_resumes_total", c.staleResumes.load(ordering: .relaxed)),
            ("pumpsim_ws_frames_received_total", c.framesIn.load(ordering: .relaxed)),
            ("pumpsim_ws_bad_frames_total", c.badFrames.load(ordering: .relaxed)),
            ("pumpsim_ws_queued_frames", hub.queuedFrames),
            ("pumpsim_inputs_accepted_total", c.inputsAccepted.load(ordering: .relaxed)),
            ("pumpsim_inputs_refused_total", c.inputsRefused.load(ordering: .relaxed)),
        ]
    }

    /// The exposition text.
    func render() -> String {
        for (name, value) in snapshot() {
            registry.makeGauge(name: name).set(Double(value))
        }
        let (slot, events, landed, failed, pending) = run.with { ($0.tick, $0.events, $0.landedTrades, $0.failedTrades, $0.pending) }
        registry.makeGauge(name: "pumpsim_sim_slot").set(Double(slot))
        registry.makeGauge(name: "pumpsim_sim_events").set(Double(events))
        registry.makeGauge(name: "pumpsim_sim_pending_transactions").set(Double(pending))
        registry.makeGauge(name: "pumpsim_sim_trades_landed").set(Double(landed))
        registry.makeGauge(name: "pumpsim_sim_trades_failed").set(Double(failed))
        let total = landed + failed
        registry.makeGauge(name: "pumpsim_sim_trade_success_ratio").set(total == 0 ? 1 : Double(landed) / Double(total))
        registry.makeGauge(name: "pumpsim_sim_lag_seconds").set(Double(max(0, service.lagMicros.load(ordering: .relaxed))) / 1e6)
        return registry.emitToString()
    }
}

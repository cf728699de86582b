import ArgumentParser
import Foundation
import SimCore
import Fanout
import Engine
import Scenario
import Sessions
import LoadGen

/// `loadtest SCENARIO --calibrate [--fit]`: the same scenario and policies through the model and
/// against a real `pumpsim serve` on loopback, side by side.
enum Calibration {
    struct Row {
        var policy: BatchingPolicy
        var predicted: FanoutResult
        var measured: LoadSummary
        var serverCPUSeconds: Double
        var serverFrames: UInt64
        var serverBytes: UInt64
    }

    static func run(scenario path: String, command c: LoadtestCommand) async throws {
        let scenario = try Scenarios.load(path, overrides: c.overrides)
        guard var spec = scenario.websocket else { throw ValidationError("\(path) has no websocket section to calibrate") }
        let policies = c.batching.isEmpty ? [BatchingPolicy.none, .window(micros: 25_000), .conflate(micros: 100_000)] : c.batching.flatMap { $0 }
        let n = c.connections
        // The model on loopback: every client joined from the start, no loss, no slow links,
        // one node with the event loops Hummingbird runs (one per core).
        spec.fanout.network.latency = .constant(micros: 100)
        spec.fanout.network.bandwidthBytesPerSecond = 10_000_000_000
        spec.fanout.network.slowBps = 0
        spec.fanout.network.lossBps = 0
        spec.fanout.network.frameLossBps = 0
        spec.fanout.leaveBps = 0
        spec.fanout.joinSpreadMicros = 0
        spec.fanout.joinStages = []
        spec.fanout.server.nodes = 1
        spec.fanout.server.failures = []
        spec.fanout.server.eventLoops = ProcessInfo.processInfo.activeProcessorCount
        spec.fanout.heartbeatMicros = 0
        let feed = FanoutFeed(config: scenario.config, spec: spec)
        var sim = try Simulation(config: scenario.config)
        sim.observer = { feed.observe($0) }
        _ = try sim.run()
        feed.finish()
        let runSeconds = Double(scenario.config.durationTicks * scenario.config.clock.slotMillis) / 1_000
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        var rows: [Row] = []
        for policy in policies {
            Terminal.error("calibrate: \(policy) with \(n) connections (\(String(format: "%.0f", runSeconds)) s run)...")
            let predicted = spec.evaluate(feed, policy: policy, config: scenario.config, subscribers: n, jobs: 2)
            let server = try ServerProcess(exe: exe, scenario: path, overrides: c.overrides + ["websocket.batching=\(policy)"], waitFor: n)
            var plan = LoadPlan(url: server.wsURL)
            plan.connections = n
            plan.ratePerSecond = 2_000
            plan.threads = c.loops
            plan.latencyPath = "data.ts"
            plan.topics = scenario.tokens.map(\.symbol)
            plan.topicWeights = Array(spec.fanout.topicWeights.prefix(plan.topics.count))
            plan.subscribe = #"{"type":"SUBSCRIBE","data":{"topics":["{topic}"]}}"#
            plan.durationMicros = UInt64((runSeconds + Double(n) / 2_000 + 6) * 1_000_000)
            plan.maxReconnects = 0
            let measured: LoadSummary
            do { measured = try await LoadGenerator.run(plan) } catch { server.stop(); throw PumpSimError.badInput("\(error)") }
            let (cpu, frames, bytes) = server.finish()
            rows.append(Row(policy: policy, predicted: predicted, measured: measured, serverCPUSeconds: cpu, serverFrames: frames, serverBytes: bytes))
        }
        print(table(rows, connections: n, scenario: scenario.name, spec: spec))
        if c.fit {
            let (a, b) = fit(rows)
            print(String(format: "fit: per_frame_nanos %llu, per_kilobyte_nanos %llu (least squares of server CPU on frames and kilobytes written, %d policies)", a, b, rows.count))
            try writeFit(path: path, perFrame: a, perKilobyte: b)
            print("wrote them into \(path) (websocket.server)")
        }
    }

    static func ms(_ v: UInt64) -> String { String(format: "%.1f", Double(v) / 1_000) }

    static func table(_ rows: [Row], connections n: Int, scenario: String, spec: WebSocketSpec) -> String {
        var out = "calibration of \(scenario): \(n) loopback connections, model server per_frame_nanos \(spec.fanout.server.perFrameNanos), per_kilobyte_nanos \(spec.fanout.server.perKilobyteNanos)\n"
        out += "policy              frames pred / meas        MB pred / meas   msg/frame pred / meas   p50 ms pred / meas   p99 ms pred / meas   server CPU s\n"
        for r in rows {
            let p = r.predicted, m = r.measured
            // Measured message frames: those received minus each connection's SNAPSHOT.
            let mFrames = (m.counters["ws_msgs_received"] ?? 0) - min(m.counters["ws_sessions"] ?? 0, m.counters["ws_msgs_received"] ?? 0)
            let mMsgs = (m.counters["ws_messages"] ?? 0) - min(m.counters["ws_sessions"] ?? 0, m.counters["ws_messages"] ?? 0)
            let lat = m.trends["ws_latency"]!
            let pmpf = p.messageFrames == 0 ? 0 : Double(p.messagesInFrames) / Double(p.messageFrames)
            let mmpf = mFrames == 0 ? 0 : Double(mMsgs) / Double(mFrames)
            out += r.policy.description.padding(toLength: 18, withPad: " ", startingAt: 0)
            out += String(format: "%11llu / %-11llu %7.1f / %-7.1f %9.2f / %-9.2f %8@ / %-8@ %8@ / %-8@ %8.2f\n",
                          p.messageFrames, mFrames, Double(p.bytes) / 1e6, Double(m.counters["data_received"] ?? 0) / 1e6, pmpf, mmpf,
                          ms(p.latency.valueAtPercentile(50)), ms(lat.valueAtPercentile(50)), ms(p.latency.valueAtPercentile(99)),
                          ms(lat.valueAtPercentile(99)), r.serverCPUSeconds)
        }
        return out
    }

    /// Least squares without intercept: cpu ≈ a·frames + b·kilobytes (ns).
    static func fit(_ rows: [Row]) -> (UInt64, UInt64) {
        var sff = 0.0, sfk = 0.0, skk = 0.0, sfc = 0.0, skc = 0.0
        for r in rows {
            let f = Double(r.serverFrames), k = Double(r.serverBytes) / 1_000, cpu = r.serverCPUSeconds * 1e9
            sff += f * f; sfk += f * k; skk += k * k; sfc += f * cpu; skc += k * cpu
        }
        let det = sff * skk - sfk * sfk
        guard abs(det) > 1e-9 else { return (UInt64(max(sfc / max(sff, 1), 0)), 0) }
        let a = (sfc * skk - skc * sfk) / det, b = (skc * sff - sfc * sfk) / det
        if b < 0 { return (UInt64(max(sfc / max(sff, 1), 0)), 0) }
        if a < 0 { return (0, UInt64(max(skc / max(skk, 1), 0))) }
        return (UInt64(a), UInt64(b))
    }

    /// Replaces per_frame_nanos and per_kilobyte_nanos in the scenario file (in place; comments kept).
    static func writeFit(path: String, perFrame: UInt64, perKilobyte: UInt64) throws {
        var text = try String(contentsOfFile: path, encoding: .utf8)
        for (key, value) in [("per_frame_nanos", perFrame), ("per_kilobyte_nanos", perKilobyte)] {
            guard let r = text.range(of: "\(key):\\s*[0-9]+", options: .regularExpression) else {
                throw PumpSimError.badInput("\(path) has no websocket.server.\(key) to write the fitted value into; add a server section (server: {per_frame_nanos: 2000, per_kilobyte_nanos: 500})")
            }
            text.replaceSubrange(r, with: "\(key): \(value)")
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        _ = try Scenarios.load(path, overrides: [])
    }
}

/// A `pumpsim serve` child on a free loopback port, for calibration. Its figures are read when it
/// has exited: CPU from the kernel's account of reaped children (getrusage), frames and bytes
/// written from the counters it prints on stderr at the end of its run (polling /metrics of a
/// saturated server would itself stall or miss the end).
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let wsURL: String
    let httpURL: String
    private let cpuBefore: Double
    private let errText = NSMutableData()
    private let errLock = NSLock()
    private let errDone = DispatchSemaphore(value: 0)

    init(exe: String, scenario: String, overrides: [String], waitFor: Int) throws {
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = ["serve", scenario, "--port", "0", "--timestamps", "--until-end", "--no-db", "--wait-for", String(waitFor),
                             "--max-connections-per-ip", String(waitFor + 100)] + overrides.flatMap { ["--set", $0] }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        cpuBefore = Self.childrenCPUSeconds()
        try process.run()
        var line = ""
        let deadline = Date().addingTimeInterval(30)
        while !line.contains("\n") && Date() < deadline {
            let d = out.fileHandleForReading.availableData
            if d.isEmpty { break }
            line += String(decoding: d, as: UTF8.self)
        }
        guard let r = line.range(of: "http://[0-9.]+:[0-9]+", options: .regularExpression) else {
            process.terminate()
            throw PumpSimError.badInput("pumpsim serve did not print its address (got \"\(line)\")")
        }
        httpURL = String(line[r])
        wsURL = httpURL.replacingOccurrences(of: "http://", with: "ws://") + "/ws"
        Thread.detachNewThread { [self] in
            while true {
                let d = err.fileHandleForReading.availableData
                if d.isEmpty { break }
                errLock.lock(); errText.append(d); errLock.unlock()
            }
            errDone.signal()
        }
    }

    /// User + system CPU of this process's children that have exited and been waited for.
    static func childrenCPUSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
    }

    /// Waits for the run's end (bounded, 60 s), returning its CPU and the frames and bytes it wrote.
    func finish() -> (Double, UInt64, UInt64) {
        for _ in 0..<1_200 where process.isRunning { usleep(50_000) }
        stop()
        _ = errDone.wait(timeout: .now() + 5)
        errLock.lock()
        let text = String(decoding: errText as Data, as: UTF8.self)
        errLock.unlock()
        func counter(_ name: String) -> UInt64 {
            // The end-of-run line: "ws_frames_sent_total 170, ws_bytes_sent_total 221495, ...".
            for item in text.split(whereSeparator: { $0 == "\n" || $0 == "," }) {
                let parts = item.split(separator: " ")
                if parts.count == 2, parts[0] == name || parts[0] == "pumpsim_" + name, let v = Double(parts[1]) { return UInt64(v) }
            }
            return 0
        }
        return (Self.childrenCPUSeconds() - cpuBefore, counter("ws_frames_sent_total"), counter("ws_bytes_sent_total"))
    }

    func stop() {
        if process.isRunning { process.interrupt() }
        for _ in 0..<100 where process.isRunning { usleep(50_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

import Foundation
import Testing

/// `loadtest --target` against real servers: an independent one written with Python `websockets`
/// (known send times and delays) and `pumpsim serve` (its own /metrics).
@Suite(.serialized)
struct LoadTargetTests {
    @Test func countsAndLatencyAgreeWithAnIndependentServer() throws {
        let dir = try tempDir("target-py")
        let portFile = dir.appendingPathComponent("port").path
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", packageRoot.appendingPathComponent("Tests/CLITests/Clients/ts_server.py").path, portFile, "40", "20"]
        let out = Pipe()
        server.standardOutput = out
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        var port = ""
        for _ in 0..<200 where port.isEmpty { usleep(50_000); port = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? "" }
        let export = dir.appendingPathComponent("summary.json").path, junit = dir.appendingPathComponent("j.xml").path
        let r = try pumpsim(["loadtest", "--target", "ws://127.0.0.1:\(port)/", "--connections", "50", "--duration", "4s", "--subscribe", "",
                             "--latency-field", "data.ts", "--summary-export", export, "--junit", junit,
                             "--threshold", "ws_msgs_received count>=2000", "--threshold", "ws_errors count<1"])
        server.terminate()
        server.waitUntilExit()
        let truth = try json(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let m = try #require(try json(try String(contentsOfFile: export, encoding: .utf8))["metrics"] as? [String: [String: Any]])
        // Every frame the server sent was received: 50 connections × 40.
        #expect(truth["sent"] as? Int == 2_000)
        #expect(m["ws_msgs_received"]?["count"] as? Int == truth["sent"] as? Int)
        #expect(m["ws_messages"]?["count"] as? Int == 2_000)
        #expect(m["ws_sessions"]?["count"] as? Int == 50)
        // Latency from data.ts: the server's delays plus loopback time (a few ms at most on a debug build).
        for (ours, theirs) in [("med", "p50_ms"), ("p(90)", "p90_ms"), ("p(99)", "p99_ms")] {
            let a = try #require(m["ws_latency"]?[ours] as? Double), b = try #require(truth[theirs] as? Double)
            #expect(a >= b - 0.2 && a <= b + 15, "\(ours): ours \(a) ms, the server's \(b) ms")
        }
        #expect((m["ws_msgs_received"]?["thresholds"] as? [String: Bool])?["count>=2000"] == false)
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains(#"tests="2" failures="0""#))
        // A threshold that fails exits 99, as k6 does, and JUnit carries the failure.
        let fail = try pumpsim(["loadtest", "--target", "ws://127.0.0.1:1/", "--connections", "2", "--duration", "1s",
                                "--threshold", "ws_sessions count>0", "--junit", junit])
        #expect(fail.status == 99, "\(fail.stderr)")
        #expect(try String(contentsOfFile: junit, encoding: .utf8).contains("<failure message=\"count=0\""))
    }

    @Test func countsEqualWhatPumpsimServeSent() throws {
        let server = try Served(["Scenarios/fanout-200k.yaml", "--speed", "2", "--no-db", "--timestamps", "--set", "duration=20s", "--wait-for", "100"])
        let html = try tempDir("target-serve").appendingPathComponent("r.html").path
        let r = try pumpsim(["loadtest", "Scenarios/fanout-200k.yaml", "--target", server.ws, "--connections", "100", "--duration", "14s",
                             "--latency-field", "data.ts", "--json", "--html", html])
        let metrics = try String(contentsOf: URL(string: server.base + "/metrics")!, encoding: .utf8)
        _ = server.stop()
        #expect(r.status == 0, "\(r.stderr)")
        func metric(_ name: String) -> Int? {
            metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last!) }.map { Int($0) }
        }
        let m = try #require(try json(r.stdout)["metrics"] as? [String: [String: Any]])
        let frames = try #require(metric("pumpsim_ws_frames_sent_total")), messages = try #require(metric("pumpsim_ws_messages_sent_total"))
        #expect(frames > 100)
        #expect(m["ws_msgs_received"]?["count"] as? Int == frames)
        // The server counts messages without the SNAPSHOT each connection gets first.
        #expect(m["ws_messages"]?["count"] as? Int == messages + 100)
        #expect(((m["ws_latency"]?["p(99)"] as? Double) ?? 1e9) < 1_000)
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("<polyline class=\"series\" data-name=\"frames\""))
    }
}

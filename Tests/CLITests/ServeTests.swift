import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A `pumpsim serve` process on a free loopback port, stopped (SIGTERM) when the test is done.
final class Served: @unchecked Sendable {
    let process = Process()
    let base: String
    private let stderrPipe = Pipe()
    private var stopped = false

    /// Starts the server and reads its one `listening on` line (bounded: 60 s).
    init(_ args: [String]) throws {
        process.executableURL = pumpsimBinary
        process.arguments = ["serve"] + args + ["--port", "0"]
        process.currentDirectoryURL = packageRoot
        let out = Pipe()
        process.standardOutput = out
        process.standardError = stderrPipe
        try process.run()
        let handle = out.fileHandleForReading
        let deadline = Date().addingTimeInterval(60)
        var line = Data()
        while Date() < deadline {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
            if line.contains(UInt8(ascii: "\n")) { break }
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: #"^listening on (http://127\.0\.0\.1:\d+)\n$"#, options: .regularExpression) else {
            process.terminate()
            throw ServeError.noListeningLine(text)
        }
        base = String(text[range].dropFirst("listening on ".count).dropLast())
    }

    var ws: String { base.replacingOccurrences(of: "http://", with: "ws://") + "/ws" }

    /// Waits for the server to exit by itself (bounded), then returns its status and stderr.
    func wait(timeout: TimeInterval = 120) -> (Int32, String) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { process.terminate(); usleep(500_000) }
        stopped = true
        let err = String(decoding: stderrPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.isRunning ? -1 : process.terminationStatus, err)
    }

    /// SIGTERM, then the exit.
    func stop() -> (Int32, String) {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        return wait(timeout: 60)
    }

    deinit { if !stopped && process.isRunning { process.terminate() } }
}

enum ServeError: Error { case noListeningLine(String) }

/// A Python client script from Tests/CLITests/Clients (the `websockets` package from PyPI).
func client(_ script: String, _ args: [String], timeout: TimeInterval = 300) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["timeout", "\(Int(timeout))", "python3", packageRoot.appendingPathComponent("Tests/CLITests/Clients/\(script)").path] + args
    p.currentDirectoryURL = packageRoot
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// An HTTP request with the status, headers and body (URLSession, loopback only).
func http(_ method: String, _ url: String, body: String? = nil) async throws -> (Int, [String: String], String) {
    var r = URLRequest(url: URL(string: url)!)
    r.httpMethod = method
    if let body { r.httpBody = Data(body.utf8); r.setValue("application/json", forHTTPHeaderField: "Content-Type") }
    r.timeoutInterval = 10
    let (data, response) = try await URLSession.shared.data(for: r)
    let h = response as! HTTPURLResponse
    var headers: [String: String] = [:]
    for (k, v) in h.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
    return (h.statusCode, headers, String(decoding: data, as: UTF8.self))
}

/// Each topic's last seq as the trace alone says it (`trace scenario`, `trace cat`, then
/// Tests/CLITests/Clients/expected_topics.py).
func lastSeqs(_ trace: String, in dir: URL) throws -> [String: Any] {
    let scenarioPath = dir.appendingPathComponent("s.json").path
    try pumpsim(["trace", "scenario", trace]).stdout.write(toFile: scenarioPath, atomically: true, encoding: .utf8)
    let ndjson = dir.appendingPathComponent("e.ndjson").path
    try pumpsim(["trace", "cat", trace]).stdout.write(toFile: ndjson, atomically: true, encoding: .utf8)
    return try json(try tool("sh", ["-c", "python3 Tests/CLITests/Clients/expected_topics.py \(scenarioPath) < \(ndjson)"]).stdout)
}

@Suite(.serialized)
struct ServeTests {
    /// The acceptance load: 1 000 real clients on a one-minute frenzy at --speed max, each through
    /// a reconnect in the middle; every client ends with its topic's last seq, which the trace
    /// alone says (expected_topics.py), and none saw a gap, a duplicate, a snapshot on resume or
    /// a close before the end (a ping timeout among them). One client in ten offers
    /// permessage-deflate, and gets it.
    @Test func aThousandClientsGetEveryMessageInOrderThroughAReconnect() throws {
        let dir = try tempDir("serve-1000")
        let trace = dir.appendingPathComponent("f.pstrace").path
        let t0 = Date()
        let server = try Served(["Scenarios/fanout-200k.yaml", "--speed", "max", "--until-end", "--no-db", "--trace", trace,
                                 "--wait-for", "1000", "--set", "websocket.write_buffer_bytes=16777216"])
        let tStart = Date()
        // Bounded: the clients give up after 420 s (their part takes 40-55 s on 2 cores, alone or
        // beside the rest of the suite), the server 120 s after them.
        let (rc, out, err) = try client("ws_clients.py", [server.ws, "1000", "ALPHA,BRAVO,CHARLIE,DELTA,ECHO", "--reconnect", "--seed", "7",
                                                          "--deflate-every", "10", "--timeout", "420"], timeout: 480)
        let tClients = Date()
        let (status, serverErr) = server.wait()
        let tServer = Date()
        #expect(rc == 0, "\(err)")
        #expect(status == 0, "\(serverErr)")
        // Every client came back: no slot was held for a missing one.
        #expect(!serverErr.contains("slots now wait for"), "\(serverErr)")
        let r = try json(out)
        print("serve-1000: listening after \(Int(tStart.timeIntervalSince(t0))) s; every client had its first frame after \(r["all_started_s"] ?? "?") s and the last after \(r["last_frame_s"] ?? "?") s; the clients ended after \(Int(tClients.timeIntervalSince(tStart))) s, the server \(Int(tServer.timeIntervalSince(tClients))) s later")
        #expect(r["finished"] as? Int == 1000)
        #expect(r["reconnected"] as? Int == 1000)
        #expect(r["deflate"] as? Int == 100)
        #expect(r["problem_count"] as? Int == 0, "\(r["problems"] ?? "")")
        let expected = try lastSeqs(trace, in: dir)
        let seen = try #require(r["last_seq"] as? [String: [Int]])
        #expect(Set(seen.keys) == Set(expected.keys))
        for (topic, count) in expected {
            #expect(seen[topic] == [count as! Int], "\(topic): clients ended at \(seen[topic] ?? []), the trace says \(count)")
        }
        #expect(try pumpsim(["replay", trace, "--verify"]).status == 0)
    }

    /// --wait-for holds a slot for a client that reconnects, but one that leaves for good holds
    /// one slot only (10 s): the run goes on for the others, who still get every message.
    @Test func aClientThatLeavesForGoodHoldsOneSlotOnly() throws {
        let dir = try tempDir("serve-leave")
        let trace = dir.appendingPathComponent("l.pstrace").path
        let server = try Served(["Scenarios/fanout-200k.yaml", "--speed", "max", "--until-end", "--no-db", "--trace", trace,
                                 "--set", "duration=20s", "--wait-for", "5"])
        let (rc, out, err) = try client("ws_clients.py", [server.ws, "5", "ALPHA,BRAVO,CHARLIE,DELTA,ECHO", "--reconnect", "--leave", "1",
                                                          "--seed", "3", "--timeout", "90"], timeout: 120)
        let (status, serverErr) = server.wait(timeout: 60)
        #expect(rc == 0, "\(err)")
        #expect(status == 0, "\(serverErr)")
        #expect(serverErr.contains("--wait-for 5: 4 connections subscribed after waiting 10 s"), "\(serverErr)")
        #expect(serverErr.components(separatedBy: "slots now wait for").count == 2, "one hold only: \(serverErr)")
        let r = try json(out)
        #expect(r["left"] as? Int == 1 && r["reconnected"] as? Int == 4)
        #expect(r["problem_count"] as? Int == 0, "\(r["problems"] ?? "")")
        let expected = try lastSeqs(trace, in: dir)
        let seen = try #require(r["last_seq"] as? [String: [Int]])
        // ALPHA's one client left; the other four topics end at the trace's last seq.
        #expect(Set(seen.keys) == ["BRAVO", "CHARLIE", "DELTA", "ECHO"])
        for (topic, last) in seen { #expect(last == [expected[topic] as! Int], "\(topic)") }
    }

    /// `serve --replay TRACE` serves a recorded run: clients get the same messages a live run
    /// gave (each topic's last seq as the trace says), and actions are refused.
    @Test func aRecordedRunIsServedAsItWasRecorded() throws {
        let dir = try tempDir("serve-replay")
        let trace = dir.appendingPathComponent("r.pstrace").path
        // Only the trace matters here: the model's 200 000 subscribers would make `run` evaluate
        // billions of deliveries, so the model gets the golden files' 2 000.
        let run = try pumpsim(["run", "Scenarios/fanout-200k.yaml", "--set", "duration=20s", "--set", "websocket.subscribers=2000", "--no-db", "--trace", trace])
        #expect(run.status == 0, "\(run.stderr)")
        let server = try Served(["--replay", trace, "--speed", "max", "--until-end", "--no-db", "--wait-for", "10"])
        let (rc, out, err) = try client("ws_clients.py", [server.ws, "10", "ALPHA,BRAVO,CHARLIE,DELTA,ECHO"])
        let (status, serverErr) = server.wait()
        #expect(rc == 0 && status == 0, "\(err) \(serverErr)")
        let r = try json(out)
        #expect(r["problem_count"] as? Int == 0, "\(r["problems"] ?? "")")
        let expected = try lastSeqs(trace, in: dir)
        let seen = try #require(r["last_seq"] as? [String: [Int]])
        for (topic, count) in expected { #expect(seen[topic] == [count as! Int], "\(topic)") }
    }

    /// A scripted client buys, chats and paper-trades over the socket and sells over REST; the
    /// trace replays with --verify and reruns (trace scenario, then run) to the same digest.
    @Test func anInteractiveSessionReplaysAndReruns() throws {
        let dir = try tempDir("serve-session")
        let trace = dir.appendingPathComponent("s.pstrace").path
        let server = try Served(["Scenarios/quickstart.yaml", "--speed", "50", "--until-end", "--no-db", "--trace", trace, "--wait-for", "1"])
        let (rc, out, err) = try client("interactive.py", [server.base], timeout: 90)
        let (status, serverErr) = server.wait()
        #expect(rc == 0, "\(err)")
        #expect(status == 0, "\(serverErr)")
        let seen = try json(out)
        // The bad frame named its field and the connection stayed open for what followed.
        let errors = try #require(seen["errors"] as? [[String: Any]])
        #expect(errors.count == 1 && errors.first?["field"] as? String == "data.sol", "\(errors)")
        #expect(seen["accepted"] as? [String] == ["BUY", "CHAT_MESSAGE", "JOIN_ENVIRONMENT", "VIRTUAL_TRADE"])
        #expect(seen["trades"] as? [String] == ["buy", "sell"])
        #expect(seen["chats"] as? [String] == ["gm from the scripted client"])
        #expect(seen["virtual"] as? [String] == ["buy"])
        #expect((seen["rest"] as? [Any])?.first as? Int == 202)
        #expect((seen["extensions"] as? String ?? "").contains("permessage-deflate"), "\(seen["extensions"] ?? "")")
        // Five inputs in the trace, and the session replays and reruns.
        let inputs = try pumpsim(["trace", "cat", trace, "--type", "InputReceived"])
        #expect(inputs.stdout.split(separator: "\n").count == 5, "\(inputs.stdout)")
        let verify = try pumpsim(["replay", trace, "--verify"])
        #expect(verify.status == 0, "\(verify.stderr)")
        let served = try #require(verify.stdout.split(separator: "\n").last { $0.hasPrefix("digest ") })
        let rerun = dir.appendingPathComponent("rerun.json").path
        try pumpsim(["trace", "scenario", trace]).stdout.write(toFile: rerun, atomically: true, encoding: .utf8)
        let run = try pumpsim(["run", rerun, "--no-db", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try json(run.stdout)["digest"] as? String == String(served.dropFirst("digest ".count)))
        #expect(serverErr.contains(String(served.dropFirst("digest ".count))))
    }

    /// The REST API: problem+json bodies, 404 for what does not exist, 405 with Allow, 429 with
    /// Retry-After past the limit; /openapi.yaml is the committed document; /metrics parses;
    /// SIGTERM closes clients with 1001 and finishes the trace.
    @Test func theAPIAnswersAsItsDocumentSaysAndSIGTERMEndsCleanly() async throws {
        let dir = try tempDir("serve-api")
        let trace = dir.appendingPathComponent("a.pstrace").path
        let server = try Served(["Scenarios/quickstart.yaml", "--speed", "1", "--no-db", "--trace", trace, "--api-rate", "5"])
        let b = server.base
        let spec = try String(contentsOf: packageRoot.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        #expect(try await http("GET", b + "/openapi.yaml").2 == spec)
        let (s404, h404, body404) = try await http("GET", b + "/api/v1/tokens/NOPE")
        #expect(s404 == 404 && (h404["content-type"] ?? "").hasPrefix("application/problem+json"), "\(h404)")
        #expect(try json(body404)["title"] as? String == "UnknownToken")
        let (s405, h405, _) = try await http("DELETE", b + "/api/v1/buys")
        #expect(s405 == 405 && h405["allow"] == "POST")
        let (s422, _, body422) = try await http("POST", b + "/api/v1/buys", body: #"{"wallet":"alice","token":"TEST","sol":"abc"}"#)
        #expect(s422 == 400, "\(body422)")
        let bad = try json(body422)
        #expect(bad["status"] as? Int == 400 && (bad["detail"] as? String ?? "").isEmpty == false)
        // Past 5 requests a second (a burst of 10): 429 with Retry-After, problem+json.
        var limited: (Int, [String: String], String)?
        for _ in 0..<40 {
            let r = try await http("GET", b + "/health")
            if r.0 == 429 { limited = r; break }
        }
        let l = try #require(limited)
        #expect(Int(l.1["retry-after"] ?? "") ?? 0 >= 1)
        #expect(try json(l.2)["title"] as? String == "RateLimited")
        // Prometheus text: every sample line is `name{labels} value`.
        let metrics = try await http("GET", b + "/metrics").2
        var names = Set<String>()
        for line in metrics.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            #expect(parts.count == 2 && Double(parts[1]) != nil, "\(line)")
            names.insert(String(parts[0].prefix { $0 != "{" }))
        }
        for n in ["pumpsim_ws_connections", "pumpsim_ws_frames_sent_total", "pumpsim_sim_slot", "pumpsim_sim_lag_seconds",
                  "pumpsim_api_request_duration_seconds_count", "pumpsim_sim_trade_success_ratio"] {
            #expect(names.contains(n), "\(n) missing from /metrics")
        }
        // A client connected at SIGTERM is closed with 1001; the trace is finished.
        let closer = Process()
        closer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        closer.arguments = ["python3", "-c", """
        import asyncio, sys, websockets
        async def main():
            async with websockets.connect(sys.argv[1]) as ws:
                await ws.send('{"type": "SUBSCRIBE", "data": {"topics": ["chain"]}}')
                print("subscribed", flush=True)
                try:
                    async for _ in ws: pass
                except websockets.ConnectionClosed: pass
                print(ws.close_code, flush=True)
        asyncio.run(main())
        """, server.ws]
        let out = Pipe()
        closer.standardOutput = out
        try closer.run()
        let first = out.fileHandleForReading.availableData
        #expect(String(decoding: first, as: UTF8.self).hasPrefix("subscribed"))
        let (status, err) = server.stop()
        closer.waitUntilExit()
        let code = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(code.trimmingCharacters(in: .whitespacesAndNewlines) == "1001")
        #expect(status == 0, "\(err)")
        #expect(try pumpsim(["replay", trace, "--verify"]).status == 0)
    }

    /// The dashboard in headless Chromium over the DevTools protocol: it connects, its chart and
    /// counters change between two screenshots, and it reconnects after the server restarts.
    @Test func theDashboardConnectsMovesAndReconnectsInChromium() throws {
        let dir = try tempDir("serve-dashboard")
        let (rc, out, err) = try client("dashboard_check.py", [pumpsimBinary.path, "Scenarios/launch-frenzy.yaml", dir.path], timeout: 150)
        #expect(rc == 0, "\(out)\n\(err.suffix(2_000))")
        let r = try json(out)
        let checks = try #require(r["checks"] as? [String: Bool])
        #expect(checks.count == 5 && checks.values.allSatisfy { $0 }, "\(checks)")
        for shot in ["dashboard-1.png", "dashboard-2.png", "dashboard-3.png"] {
            let data = try Data(contentsOf: dir.appendingPathComponent(shot))
            #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]) && data.count > 10_000, "\(shot)")
        }
    }

    /// A port in use is bad input with a clear message (not a crash: the run stops when the
    /// server cannot start).
    @Test func aPortInUseIsRefusedClearly() throws {
        let server = try Served(["Scenarios/quickstart.yaml", "--speed", "1", "--no-db"])
        defer { _ = server.stop() }
        let port = String(server.base.split(separator: ":").last!)
        let second = try pumpsim(["serve", "Scenarios/quickstart.yaml", "--no-db", "--port", port])
        #expect(second.status == 2, "\(second.stderr.prefix(2_000))")
        #expect(second.stderr.contains("cannot listen on 127.0.0.1:\(port): the address is already in use"), "\(second.stderr.prefix(2_000))")
    }

    /// A WebSocket connection's kernel send buffer is the one asked for (`ss` reads it: Linux
    /// doubles SO_SNDBUF), so a slow reader's backlog stays in the server's write buffer; out of
    /// range is refused naming the option.
    @Test func theKernelSendBufferIsBounded() throws {
        let server = try Served(["Scenarios/quickstart.yaml", "--speed", "1", "--no-db", "--socket-send-buffer", "24576"])
        defer { _ = server.stop() }
        let port = String(server.base.split(separator: ":").last!)
        let script = """
        import asyncio, json, subprocess, sys, websockets
        async def main():
            async with websockets.connect(sys.argv[1], open_timeout=10) as ws:
                await ws.send(json.dumps({"type": "SUBSCRIBE", "data": {"topics": ["TEST"]}}))
                await asyncio.wait_for(ws.recv(), 10)
                print(subprocess.run(["ss", "-tmnH", "state", "established", "( sport = :%s )" % sys.argv[2]],
                                     capture_output=True, text=True).stdout)
        asyncio.run(main())
        """
        let r = try tool("timeout", ["30", "python3", "-c", script, server.ws, port])
        #expect(r.status == 0, "\(r.stderr)")
        // skmem:(r…,rb…,t…,tb49152,…): tb is the socket's send buffer.
        #expect(r.stdout.contains(",tb49152,"), "\(r.stdout)")
        let bad = try pumpsim(["serve", "Scenarios/quickstart.yaml", "--no-db", "--port", "0", "--socket-send-buffer", "100"])
        #expect(bad.status != 0 && bad.stderr.contains("--socket-send-buffer: expected 0 (the kernel's sizing) or 4096 to 67108864 bytes, found 100"),
                "\(bad.stderr)")
    }

    /// schemathesis (PyPI) fuzzes the API from the served document: every check, a fixed seed,
    /// bounded examples; no failure.
    @Test func schemathesisFindsNoFailure() throws {
        let server = try Served(["Scenarios/quickstart.yaml", "--speed", "1", "--no-db"])
        let r = try tool("timeout", ["600", "st", "run", server.base + "/openapi.yaml", "--url", server.base, "--checks", "all",
                                     "--seed", "1", "--max-examples", "30", "--no-color"])
        _ = server.stop()
        #expect(r.status == 0, "\(r.stdout.suffix(3_000))")
        #expect(r.stdout.contains(" passed"), "\(r.stdout.suffix(1_000))")
    }
}

import HummingbirdWSClient
import Logging

/// Hummingbird's own WebSocket client against the server: a SNAPSHOT, then gapless deltas, and
/// an ERROR frame for a bad action with the connection still open. (In the serialized suite:
/// beside the 1 000-client test the machine is saturated.)
extension ServeTests {
    @Test func hummingbirdsClientSubscribesAndActs() async throws {
        let server = try Served(["Scenarios/quickstart.yaml", "--speed", "20", "--no-db", "--wait-for", "1"])
        defer { _ = server.stop() }
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let box = TypesBox()
        _ = try await WebSocketClient.connect(url: server.ws, logger: logger) { inbound, outbound, _ in
            try await outbound.write(.text(#"{"type":"SUBSCRIBE","data":{"topics":["chain"]}}"#))
            try await outbound.write(.text(#"{"type":"CLAIM","data":{}}"#))
            var types: [String] = []
            var last: Int?
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                let v = try JSONSerialization.jsonObject(with: Data(text.utf8))
                for m in (v as? [[String: Any]]) ?? [v as! [String: Any]] {
                    let type = m["type"] as! String
                    types.append(type)
                    if let seq = m["seq"] as? Int, m["topic"] as? String == "chain" {
                        if let last, type != "SNAPSHOT" { #expect(seq == last + 1) }
                        last = seq
                    }
                }
                if types.filter({ $0 == "SLOT" }).count >= 20 { break }
            }
            try? await outbound.close(.normalClosure, reason: nil)
            box.set(types)
        }
        let types = box.get()
        #expect(types.first == "SNAPSHOT")
        #expect(types.contains("ERROR"))
        #expect(types.filter { $0 == "SLOT" }.count >= 20)
    }
}

final class TypesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var types: [String] = []
    func set(_ t: [String]) { lock.lock(); types = t; lock.unlock() }
    func get() -> [String] { lock.lock(); defer { lock.unlock() }; return types }
}

import ArgumentParser
import Foundation
import SimCore
import Sessions
import LiveServer

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a scenario live behind real sockets: WebSocket service, REST API, dashboard, metrics.",
        discussion: """
        The scenario runs paced against the wall clock (--speed 1: one slot per slot_ms; 10: ten \
        slots in that time; max: as fast as the connected clients keep up). Clients connect to \
        GET /ws and send {"type": "SUBSCRIBE", "data": {"topics": ["TEST", "TEST/chat"]}}: each \
        topic answers with a SNAPSHOT, then every message in order, `seq` gapless per topic. A \
        client that reconnects sends "since": {"TEST": 41} and gets exactly what it missed (or a \
        fresh SNAPSHOT when that is no longer kept). Topics: each token's symbol (PRICE_UPDATE, \
        TRADE, TOKEN_LAUNCHED, CURVE_COMPLETED), SYMBOL/chat (CHAT_MESSAGE), env/N (VIRTUAL_TRADE), \
        rewards (TIER_CHANGED), chain (SLOT). The scenario's websocket batching policy batches the \
        real frames (a batch is a JSON array of messages) and its slow-consumer policy bounds each \
        connection's write buffer.

        Clients act as the scenario's named wallets: frames BUY, SELL, CHAT_MESSAGE, \
        JOIN_ENVIRONMENT, VIRTUAL_TRADE and CLAIM over the socket, or the REST API under /api/v1 \
        (openapi.yaml, served at /openapi.yaml). Each action enters at the next slot and is recorded \
        in the trace, so `pumpsim replay TRACE --verify` reproduces the session and \
        `pumpsim trace scenario TRACE` writes it back as a scenario with inputs that reruns to the \
        same digest. Also served: / (live dashboard), /metrics (Prometheus), /health.

        Prints exactly one line to stdout when it is listening: `listening on http://HOST:PORT` \
        (--port 0 takes a free port). SIGINT or SIGTERM: stop, finish the trace and the catalog \
        row, close every connection with 1001. A summary goes to stderr at the end.

        Examples:
          pumpsim serve Scenarios/launch-frenzy.yaml --speed 10
          pumpsim serve Scenarios/quickstart.yaml --port 0 --speed max --until-end --trace session.pstrace --no-db
          pumpsim serve --replay session.pstrace --speed 10
        """
    )

    @Argument(help: "Scenario file (YAML or JSON).") var scenario: String?
    @Option(help: ArgumentHelp("Serve a recorded run instead: its events slot by slot at --speed (clients watch; actions are refused).", valueName: "TRACE"))
    var replay: String?
    @Option(help: "Address to listen on (loopback by default).") var host = "127.0.0.1"
    @Option(help: "Port to listen on; 0 takes a free one.") var port = 8080
    @Option(help: ArgumentHelp("Pace: 1 (real time), any factor such as 10, or max (as fast as clients keep up).", valueName: "1|10|max"),
            transform: { s in
                guard let v = Speed.parse(s) else { throw ValidationError("--speed: expected a factor above 0 and at most 10000 (like 1 or 10) or max, found \"\(s)\"") }
                return v
            })
    var speed: Speed = .factor(1)
    @Option(parsing: .unconditional, help: "Seed for every random draw (overrides the scenario's seed): 0 to 2^64 − 1.", transform: Parse.seed) var seed: UInt64?
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario field. Repeatable.", valueName: "key.path=value")) var overrides: [String] = []
    @Option(help: ArgumentHelp("Record every event, inputs from clients included, in a trace file.", valueName: "FILE")) var trace: String?
    @Option(help: ArgumentHelp("Run catalog (SQLite) to record the run in (default \(Catalogs.defaultPath)).", valueName: "FILE")) var db: String?
    @Flag(help: "Do not record the run in the catalog.") var noDb = false
    @Flag(help: "Exit 0 once the scenario's duration has run out and every client has been sent everything.") var untilEnd = false
    @Option(help: "Start the run once this many WebSocket clients have subscribed; at --speed max, also hold a slot (up to 10 s) until that many are subscribed again after reconnects; clients not back by then are not waited for again (load tests).")
    var waitFor = 0
    @Flag(help: "Stamp every message's data with \"ts\" (data.ts), the wall clock when it was published (µs since 1970): publish-to-receive latency for load tests (loadtest --latency-field data.ts).")
    var timestamps = false
    @Option(help: "WebSocket connections allowed per client address.") var maxConnectionsPerIp = 4_096
    @Option(help: "Frames a connection may send per second (more get an ERROR frame).") var maxFramesPerSecond = 50
    @Option(help: "REST requests allowed per second per client address (more get 429 with Retry-After).") var apiRate = 100
    @Option(help: "Largest WebSocket frame accepted, bytes.") var maxFrameBytes = 64 * 1_024
    @Option(help: ArgumentHelp("The kernel's send buffer per WebSocket connection (SO_SNDBUF, which Linux doubles), also the most NIO holds for it; 0 leaves both to their defaults (the kernel grows its buffer to megabytes for a slow reader, which hides that reader from the write buffer's slow-consumer policy and from --speed max pacing, and holds pings behind it).", valueName: "BYTES"))
    var socketSendBuffer = 16 * 1_024

    func validate() throws {
        if (scenario == nil) == (replay == nil) { throw ValidationError("give a scenario to run, or --replay TRACE to serve a recorded run (one of them)") }
        if replay != nil && (trace != nil || !overrides.isEmpty || seed != nil) {
            throw ValidationError("--replay serves the trace as recorded: --trace, --set and --seed do not apply")
        }
        if noDb && db != nil { throw ValidationError("--db and --no-db contradict each other") }
        guard (0...65_535).contains(port) else { throw ValidationError("--port: expected 0 to 65535, found \(port)") }
        guard waitFor >= 0, maxConnectionsPerIp >= 1, maxFramesPerSecond >= 1, apiRate >= 1 else { throw ValidationError("limits must be at least 1") }
        guard (1_024...16 * 1_024 * 1_024).contains(maxFrameBytes) else { throw ValidationError("--max-frame-bytes: expected 1024 to 16777216") }
        guard socketSendBuffer == 0 || (4_096...64 * 1_024 * 1_024).contains(socketSendBuffer) else {
            throw ValidationError("--socket-send-buffer: expected 0 (the kernel's sizing) or 4096 to 67108864 bytes, found \(socketSendBuffer)")
        }
    }

    func run() throws {
        var q = LiveRun.Request(scenarioPath: scenario ?? "")
        q.overrides = overrides
        q.seed = seed
        q.tracePath = trace
        q.catalogPath = noDb || replay != nil ? nil : (db ?? Catalogs.defaultPath)
        var o = LiveServer.Options(run: q)
        o.replayPath = replay
        o.host = host
        o.port = port
        o.speed = speed
        o.untilEnd = untilEnd
        o.waitFor = waitFor
        o.timestamps = timestamps
        o.connectionsPerIP = maxConnectionsPerIp
        o.framesPerSecond = maxFramesPerSecond
        o.apiRequestsPerSecond = apiRate
        o.maxFrameBytes = maxFrameBytes
        o.socketSendBufferBytes = socketSendBuffer
        let options = o
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox()
        Task {
            do {
                let summary = try await LiveServer.serve(options) { address in
                    // One line, written at once (scripts wait for it).
                    FileHandle.standardOutput.write(Data("listening on \(address)\n".utf8))
                }
                result.set(.success(summary))
            } catch {
                result.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        let summary: LiveServer.Summary
        switch result.value! {
        case .failure(let e as PumpSimError): throw e
        case .failure(let e) where "\(e)".contains("Address already in use"):
            throw PumpSimError.badInput("cannot listen on \(host):\(port): the address is already in use (--port 0 takes a free one)")
        case .failure(let e): throw PumpSimError.badInput("cannot serve: \(e)")
        case .success(let s): summary = s
        }
        if let o = summary.outcome {
            Terminal.error("served \(o.events) events, final digest \(o.digest)")
        }
        let figures = summary.counters.filter { $0.1 > 0 }.map { "\($0.0.replacingOccurrences(of: "pumpsim_", with: "")) \($0.1)" }
        if !figures.isEmpty { Terminal.error(figures.joined(separator: ", ")) }
        if let trace { Terminal.error("trace \(trace)") }
        if let f = summary.failure { throw PumpSimError.internalFailure("the live run stopped: \(f)") }
    }
}

/// The async task's result, handed to the waiting main thread.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Result<LiveServer.Summary, Error>?
    func set(_ r: Result<LiveServer.Summary, Error>) { lock.lock(); stored = r; lock.unlock() }
    var value: Result<LiveServer.Summary, Error>? { lock.lock(); defer { lock.unlock() }; return stored }
}

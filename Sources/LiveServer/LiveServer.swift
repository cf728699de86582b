import Foundation
import Synchronization
import Hummingbird
import HummingbirdWebSocket
import HummingbirdWSCompression
import Logging
import NIOCore
import ServiceLifecycle
import SimCore
import Engine
import Fanout
import Sessions

/// `pumpsim serve`: a scenario live behind real sockets (DESIGN.md, "Real sockets"): the
/// WebSocket service at `/ws`, the REST API under `/api/v1`, the dashboard at `/`, Prometheus
/// text at `/metrics`, `/health` and `/openapi.yaml`.
public enum LiveServer {
    public struct Options: Sendable {
        public var run: LiveRun.Request
        /// Serve this recorded run (a trace) instead of simulating `run`.
        public var replayPath: String?
        public var host = "127.0.0.1"
        public var port = 8080
        public var speed: Speed = .factor(1)
        public var untilEnd = false
        /// Start the run once this many connections have subscribed.
        public var waitFor = 0
        /// Stamp messages with the publishing time (`data.ts`, µs since 1970).
        public var timestamps = false
        /// Limits.
        public var maxFrameBytes = 64 * 1_024
        public var connectionsPerIP = 4_096
        public var framesPerSecond = 50
        public var subscriptionsPerConnection = 64
        public var apiRequestsPerSecond = 100
        /// Pings every this often; a connection that does not answer is closed.
        public var pingSeconds = 30
        /// A connection that has subscribed to nothing this long after connecting is closed.
        public var idleSeconds = 60
        /// The kernel's send buffer per WebSocket connection (SO_SNDBUF; Linux doubles it), and the
        /// high-water mark of what NIO holds for the socket (half of it the low one); 0 leaves both
        /// to their defaults. Left to itself the kernel grows its buffer to megabytes for a client
        /// that reads slowly (600 KB a connection measured under 1 000 clients, 3.9 MB possible),
        /// which hides the backlog from the write buffer's slow-consumer policy and from `--speed
        /// max` pacing, holds pings behind it past the ping timeout (a ping waits for everything
        /// queued before it to be read), and would cost a million subscribers terabytes.
        public var socketSendBufferBytes = 16 * 1_024
        public init(run: LiveRun.Request) { self.run = run }
    }

    /// What a finished service reports.
    public struct Summary: Sendable {
        public var outcome: RunOutcome?
        public var failure: String?
        public var counters: [(String, Int)]
    }

    /// Runs until SIGINT/SIGTERM (or the scenario's end with `untilEnd`). `listening` is called
    /// once with the address the server is bound to.
    public static func serve(_ o: Options, listening: @escaping @Sendable (String) -> Void) async throws -> Summary {
        let run = try o.replayPath.map { path throws(PumpSimError) in try LiveRun(replaying: path) } ?? LiveRun(o.run)
        let spec = run.scenario.websocket
        var limits = Hub.Limits()
        limits.subscriptionsPerConnection = o.subscriptionsPerConnection
        limits.timestamps = o.timestamps
        if let f = spec?.fanout {
            limits.writeBufferBytes = Int(min(f.writeBufferBytes, 1 << 30))
            limits.slowConsumer = f.slowConsumer
        }
        let counters = Counters()
        let hub = Hub(policy: spec?.batching ?? .none, limits: limits, counters: counters)
        let guarded = GuardedRun(run)
        let service = LiveService(run: guarded, hub: hub, speed: o.speed, untilEnd: o.untilEnd, waitFor: o.waitFor)
        let metrics = LiveMetrics(counters: counters, hub: hub, service: service, run: guarded)
        let context = Handlers(run: guarded, hub: hub, service: service, counters: counters, metrics: metrics, options: o)

        var logger = Logger(label: "pumpsim.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let router = Router(context: LiveContext.self)
        router.middlewares.add(ProblemMiddleware(metrics: metrics, limiter: RateLimiter(perSecond: o.apiRequestsPerSecond), hub: hub))
        try context.routes(router)
        let host = o.host
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(
                webSocketRouter: router,
                configuration: .init(ws: .init(maxFrameSize: o.maxFrameBytes, extensions: [.perMessageDeflate()],
                                               autoPing: .enabled(timePeriod: .seconds(o.pingSeconds))))),
            configuration: .init(address: .hostname(o.host, port: o.port), serverName: "pumpsim"),
            onServerRunning: { channel in
                listening("http://\(host):\(channel.localAddress?.port ?? 0)")
            },
            logger: logger
        )
        var groupConfig = ServiceGroupConfiguration(
            services: [
                .init(service: app),
                .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // A client that never reads cannot hold the process: past this, everything is cancelled
        // (and every task here ends on cancellation).
        groupConfig.maximumGracefulShutdownDuration = .seconds(10)
        let group = ServiceGroup(configuration: groupConfig)
        try await group.run()
        return Summary(outcome: service.outcome.withLock { $0 }, failure: service.failure.withLock { $0 }, counters: metrics.snapshot())
    }
}

/// The request context: a WebSocket-capable context that knows the client's address.
struct LiveContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let remoteAddress: SocketAddress?
    /// The connection's channel (its socket options are set when it becomes a WebSocket).
    let channel: any Channel
    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }
}

/// Errors as `application/problem+json` (RFC 9457): every error the API documents has a JSON
/// body, bad input never becomes a 5xx, and request durations are recorded by route and status.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = LiveContext
    let metrics: LiveMetrics
    /// Requests per second per client address on the API (`--api-rate`).
    let limiter: RateLimiter
    /// Once the service is closing, responses close their connection (a browser's keep-alive
    /// connection would otherwise hold the server's graceful shutdown).
    let hub: Hub

    func handle(_ request: Request, context: LiveContext, next: (Request, LiveContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        let path = request.uri.path
        if path.hasPrefix("/api/") || path == "/health", let wait = limiter.take(context.remoteAddress?.ipAddress ?? "unknown") {
            var p = Problem(.tooManyRequests, "RateLimited", "at most \(Int(limiter.perSecond)) requests per second per address; retry after the Retry-After seconds")
            p.headers[.retryAfter] = "\(max(1, Int(wait.rounded(.up))))"
            response = p.response
        } else { do {
            response = try await next(request, context)
        } catch let p as Problem {
            response = p.response
        } catch let e as HTTPError where e.status == .notFound {
            if let allowed = Routes.methods(for: request.uri.path), !allowed.contains(request.method.rawValue) {
                var p = Problem(.methodNotAllowed, "MethodNotAllowed", "\(request.method.rawValue) is not supported here; use \(allowed.joined(separator: ", "))")
                p.headers[.allow] = allowed.joined(separator: ", ")
                response = p.response
            } else {
                response = Problem(.notFound, "NotFound", "no route \(request.method.rawValue) \(request.uri.path)").response
            }
        } catch let e as HTTPError {
            let code = e.status == .notFound ? "NotFound" : e.status == .contentTooLarge ? "TooLarge" : e.status == .methodNotAllowed ? "MethodNotAllowed" : "BadRequest"
            response = Problem(e.status, code, e.body ?? e.status.reasonPhrase).response
        } catch {
            response = Problem(.badRequest, "BadRequest", "\(error)").response
        } }
        if hub.isClosing { response.headers[.connection] = "close" }
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(route: route, status: Int(response.status.code), seconds: ContinuousClock.now - start)
        return response
    }
}

/// Every route and its methods, so that another method on a known path gets 405 with `Allow`.
/// The paths of openapi.yaml are here too (LiveServerTests check that none is missing).
enum Routes {
    static let table: [(String, [String])] = [
        ("/", ["GET"]), ("/ws", ["GET"]), ("/metrics", ["GET"]), ("/openapi.yaml", ["GET"]), ("/health", ["GET"]),
        ("/api/v1/tokens", ["GET"]), ("/api/v1/tokens/{symbol}", ["GET"]), ("/api/v1/tokens/{symbol}/launch", ["POST"]),
        ("/api/v1/tokens/{symbol}/quote", ["GET"]), ("/api/v1/buys", ["POST"]), ("/api/v1/sells", ["POST"]),
        ("/api/v1/claims", ["POST"]), ("/api/v1/chat", ["POST"]), ("/api/v1/environments", ["GET"]),
        ("/api/v1/environments/{symbol}/join", ["POST"]), ("/api/v1/environments/{symbol}/buys", ["POST"]),
        ("/api/v1/environments/{symbol}/sells", ["POST"]), ("/api/v1/wallets/{name}", ["GET"]), ("/api/v1/runs", ["GET"]),
    ]

    /// The methods a path supports (HEAD with GET), or nil for a path that is not a route.
    static func methods(for path: String) -> [String]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        for (pattern, methods) in table {
            let p = pattern.split(separator: "/", omittingEmptySubsequences: false)
            guard p.count == parts.count else { continue }
            if zip(p, parts).allSatisfy({ $0.0.hasPrefix("{") ? !$0.1.isEmpty : $0.0 == $0.1 }) {
                return methods.contains("GET") ? methods + ["HEAD"] : methods
            }
        }
        return nil
    }
}

/// A problem+json error (RFC 9457) with the program's error name as its title.
struct Problem: Error {
    var status: HTTPResponse.Status
    var code: String
    var detail: String
    var field: String?
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ code: String, _ detail: String, field: String? = nil) {
        self.status = status; self.code = code; self.detail = detail; self.field = field
    }

    init(_ e: ActionError, status: HTTPResponse.Status = .unprocessableContent) {
        self.init(status, e.code, "\(e.field): expected \(e.expected)", field: e.field)
    }

    var response: Response {
        var body: [(String, JSON)] = [("type", .string("https://pumpsim.dev/errors/\(code)")), ("title", .string(code)),
                                      ("status", .uint(UInt64(status.code))), ("detail", .string(detail))]
        if let field { body.append(("field", .string(field))) }
        var h = headers
        h[.contentType] = "application/problem+json"
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: JSON.object(body).serialized())))
    }
}

/// A JSON response.
func json(_ value: JSON, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: value.serialized())))
}

/// A token bucket per client address (frames per connection, requests per address).
final class RateLimiter: Sendable {
    private let buckets = Mutex<[String: (Double, ContinuousClock.Instant)]>([:])
    let perSecond: Double
    let burst: Double
    init(perSecond: Int) { self.perSecond = Double(max(1, perSecond)); self.burst = Double(max(1, perSecond)) * 2 }

    /// Takes a token for `key`; nil when allowed, else the seconds until the next token.
    func take(_ key: String) -> Double? {
        let now = ContinuousClock.now
        return buckets.withLock { b -> Double? in
            var (tokens, last) = b[key] ?? (burst, now)
            let d = now - last
            tokens = min(burst, tokens + (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * perSecond)
            if b.count > 100_000 { b.removeAll() }
            guard tokens >= 1 else { b[key] = (tokens, now); return (1 - tokens) / perSecond }
            b[key] = (tokens - 1, now)
            return nil
        }
    }
}
